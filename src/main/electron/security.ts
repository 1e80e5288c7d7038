/**
 * The Electron hardening that applies to every web contents, not only the main window: no navigation away
 * from our renderer page, no new windows (http(s) links open in the user's browser), no <webview>, and no
 * permission grants. The CSP for the file:// page is the `<meta http-equiv="Content-Security-Policy">` of
 * src/renderer/index.html: response-header hooks (webRequest.onHeadersReceived) do not run for file:// loads.
 */
import { app, session, shell, type WebContents } from 'electron';
import type { Logger } from '../logger';

/** Only plain web links leave the app, and only to the user's default browser. */
function isExternalWebLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

export function applySecurityPolicy(isRendererPage: (url: string) => boolean, logger: Logger): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    const guard = (event: { preventDefault(): void }, url: string) => {
      if (isRendererPage(url)) return;
      event.preventDefault();
      if (isExternalWebLink(url)) void shell.openExternal(url);
      else logger.warn('blocked navigation', { url });
    };
    contents.on('will-navigate', guard);
    contents.on('will-redirect', guard);
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isExternalWebLink(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    logger.info('denied a permission request', { permission });
    callback(false);
  });
  // Copying a value from the console is the one capability the renderer keeps.
  ses.setPermissionCheckHandler(
    (contents, permission) =>
      permission === 'clipboard-sanitized-write' && contents !== null && isRendererPage(contents.getURL()),
  );
}

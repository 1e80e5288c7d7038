/** The Electron hardening, run under Node against a stand-in for the electron module. */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { captureLogger } from '../support/api-test-logger';

type Listener = (...args: unknown[]) => void;

const electron = vi.hoisted(() => {
  const appListeners = new Map<string, (...args: unknown[]) => void>();
  return {
    appListeners,
    openExternal: vi.fn(async () => undefined),
    requestHandler: null as null | ((...args: unknown[]) => void),
    checkHandler: null as null | ((...args: unknown[]) => boolean),
  };
});

vi.mock('electron', () => ({
  app: { on: (event: string, listener: Listener) => electron.appListeners.set(event, listener) },
  shell: { openExternal: electron.openExternal },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (h: Listener) => (electron.requestHandler = h),
      setPermissionCheckHandler: (h: (...args: unknown[]) => boolean) => (electron.checkHandler = h),
    },
  },
}));

const { applySecurityPolicy } = await import('../../src/main/electron/security');

const OURS = 'file:///opt/relaydeck/out/renderer/index.html';
const isOurs = (url: string) => url.split('#')[0] === OURS;

/** A web contents stand-in recording its listeners and window-open handler. */
function fakeContents(url = OURS) {
  const listeners = new Map<string, Listener>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  return {
    listeners,
    open: (u: string) => openHandler?.({ url: u }),
    on: (event: string, l: Listener) => listeners.set(event, l),
    setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
    getURL: () => url,
  };
}

function created() {
  const contents = fakeContents();
  electron.appListeners.get('web-contents-created')?.({}, contents);
  return contents;
}

function navigate(contents: ReturnType<typeof fakeContents>, event: string, url: string): boolean {
  let prevented = false;
  contents.listeners.get(event)?.({ preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('Electron security policy', () => {
  beforeEach(() => {
    electron.appListeners.clear();
    electron.openExternal.mockClear();
    applySecurityPolicy(isOurs, captureLogger());
  });

  it('lets the window move within our page only; web links go to the default browser', () => {
    const contents = created();
    expect(navigate(contents, 'will-navigate', `${OURS}#/deliveries/1`)).toBe(false);
    expect(navigate(contents, 'will-navigate', 'https://example.com/help')).toBe(true);
    expect(electron.openExternal).toHaveBeenCalledWith('https://example.com/help');
    expect(navigate(contents, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate(contents, 'will-redirect', 'javascript:alert(1)')).toBe(true);
    expect(electron.openExternal).toHaveBeenCalledTimes(1);
  });

  it('denies every new window, opening only http(s) links externally', () => {
    const contents = created();
    expect(contents.open('https://example.com/')).toEqual({ action: 'deny' });
    expect(contents.open('file:///tmp/x.html')).toEqual({ action: 'deny' });
    expect(contents.open('smb://host/share')).toEqual({ action: 'deny' });
    expect(electron.openExternal.mock.calls).toEqual([['https://example.com/']]);
  });

  it('refuses <webview> and every permission request; only our page may write the clipboard', () => {
    const contents = created();
    let prevented = false;
    contents.listeners.get('will-attach-webview')?.({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal']) {
      electron.requestHandler?.(contents, permission, (granted: boolean) => answers.push(granted));
    }
    expect(answers).toEqual([false, false, false, false]);
    expect(electron.checkHandler?.(contents, 'clipboard-sanitized-write')).toBe(true);
    expect(electron.checkHandler?.(fakeContents('https://evil.example/'), 'clipboard-sanitized-write')).toBe(
      false,
    );
    expect(electron.checkHandler?.(contents, 'media')).toBe(false);
    expect(electron.checkHandler?.(null, 'clipboard-sanitized-write')).toBe(false);
  });
});

/**
 * The Electron main process: opens the app (store, engine, sandbox) on the data dir, serves the contract over
 * IPC to one hardened window, forwards push events to it and closes everything gracefully on quit.
 * Run by `npm start` (scripts/start.mjs) and by the packaged app.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { openApp, type App } from '../app';
import { forwardEvents, isRendererPage, registerIpcHandlers } from '../api/ipc-server';
import { systemClock } from '../clock';
import { nodeDns } from '../engine/relay/node-dns';
import { dataDirLogger } from '../logger';
import { resolveDataDir } from '../node/data-dir';
import { createElectronReportPrinter } from './report-printer';
import { keychainSecrets } from './secret-box';
import { applySecurityPolicy } from './security';

/**
 * Exit status when Relaydeck itself cannot start (data dir locked, database too new...): the error was shown,
 * and scripts/start.mjs must not retry in the browser console. Keep in sync with APP_ERROR_EXIT there.
 */
const EXIT_APP_ERROR = 78;
/** Exit status when a native module (better-sqlite3) is not built for Electron: `npm start` falls back. */
const EXIT_NATIVE_MODULE = 79;

function isNativeModuleMismatch(err: unknown): boolean {
  return (
    err instanceof Error &&
    ((err as NodeJS.ErrnoException).code === 'ERR_DLOPEN_FAILED' || /NODE_MODULE_VERSION/.test(err.message))
  );
}

const RENDERER_INDEX = path.join(__dirname, '../renderer/index.html');
const PRELOAD = path.join(__dirname, '../preload/preload.cjs');
const isOurPage = isRendererPage(RENDERER_INDEX);

/** `--data DIR` or `--data=DIR` among the command-line arguments. */
function dataFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--data') return argv[i + 1];
    if (arg?.startsWith('--data=')) return arg.slice('--data='.length);
  }
  return undefined;
}

const dataDir = resolveDataDir(dataFlag(process.argv));
// Before ready: the single-instance lock and Chromium's profile both live in userData.
app.setPath('userData', dataDir);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another window already runs on this data dir: it is focused through 'second-instance'.
  app.quit();
} else {
  main();
}

function main(): void {
  let relaydeck: App | null = null;
  let window: BrowserWindow | null = null;
  const cleanups: (() => void)[] = [];

  function createWindow(): BrowserWindow {
    const win = new BrowserWindow({
      width: 1320,
      height: 860,
      minWidth: 960,
      minHeight: 600,
      show: false,
      title: 'Relaydeck',
      autoHideMenuBar: true,
      webPreferences: {
        preload: PRELOAD,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
      },
    });
    win.once('ready-to-show', () => {
      win.show();
      // Tells `npm start` that the desktop app is up (it falls back to the browser console otherwise).
      process.send?.({ relaydeck: 'ready' });
    });
    // The console asks before unsaved edits are lost (`beforeunload`); Electron shows no prompt of its own.
    win.webContents.on('will-prevent-unload', (event) => {
      const choice = dialog.showMessageBoxSync(win, {
        type: 'question',
        buttons: ['Stay', 'Leave and discard'],
        defaultId: 0,
        cancelId: 0,
        title: 'Leave without saving?',
        message: 'You have unsaved changes. Leave and discard them?',
      });
      if (choice === 1) event.preventDefault();
    });
    win.webContents.on('render-process-gone', (_event, details) =>
      relaydeck?.logger.error('renderer process gone', {
        reason: details.reason,
        exitCode: details.exitCode,
      }),
    );
    win.on('closed', () => {
      if (window === win) window = null;
    });
    void win.loadFile(RENDERER_INDEX);
    return win;
  }

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (relaydeck && BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });

  let closing = false;
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed || !relaydeck) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    for (const cleanup of cleanups.splice(0)) cleanup();
    relaydeck
      .close()
      .catch((err: unknown) => relaydeck?.logger.error('closing the app failed', { err }))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(async () => {
      relaydeck = await openApp({
        dataDir,
        logger: dataDirLogger(dataDir),
        clock: systemClock,
        dns: nodeDns,
        reportPrinter: () => createElectronReportPrinter({ indexHtml: RENDERER_INDEX, preload: PRELOAD }),
        secrets: keychainSecrets(),
      });
      applySecurityPolicy(isOurPage, relaydeck.logger);
      cleanups.push(
        registerIpcHandlers(ipcMain, {
          handlers: relaydeck.handlers,
          logger: relaydeck.logger,
          isTrustedSender: isOurPage,
        }),
        forwardEvents(relaydeck.bus, (channel, message) => {
          for (const win of BrowserWindow.getAllWindows()) {
            if (!win.isDestroyed()) win.webContents.send(channel, message);
          }
        }),
      );
      window = createWindow();
    })
    .catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`relaydeck: cannot start: ${message}\n`);
      if (isNativeModuleMismatch(err)) {
        app.exit(EXIT_NATIVE_MODULE);
        return;
      }
      dialog.showErrorBox('Relaydeck cannot start', message);
      app.exit(EXIT_APP_ERROR);
    });
}

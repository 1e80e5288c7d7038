/**
 * The contract over Electron IPC: one `ipcMain.handle` per contract method, on channels derived from the
 * contract. Only our own renderer may call (the sender frame's URL is checked); every call resolves with the
 * dispatch result object, nothing is thrown across IPC (Electron would serialise the error with its stack).
 * This file imports no electron: it takes a structural `IpcMainLike`, so it runs and is tested under Node.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { AppError, IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannel, type Handlers } from '../../shared/contract';
import type { Logger } from '../logger';
import { dispatch, type DispatchResult } from './dispatch';
import type { EventBus } from './event-bus';

/** The part of Electron's `IpcMainInvokeEvent` we read. `senderFrame` is null once the frame is gone. */
export interface IpcInvokeEventLike {
  senderFrame: { url: string } | null;
}

/** The part of Electron's `ipcMain` we use. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

export interface IpcServerOptions {
  handlers: Handlers;
  logger: Logger;
  /** True only for our own renderer page (see `isRendererPage`). */
  isTrustedSender(frameUrl: string): boolean;
}

/** Registers every contract method; returns a function that removes them again. */
export function registerIpcHandlers(ipcMain: IpcMainLike, o: IpcServerOptions): () => void {
  const logger = o.logger.child({ component: 'ipc' });
  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(method), async (event, input): Promise<DispatchResult> => {
      const frameUrl = event.senderFrame?.url ?? '';
      if (!o.isTrustedSender(frameUrl)) {
        logger.warn('IPC call from an untrusted frame refused', { method, frameUrl });
        return {
          ok: false,
          error: new AppError('forbidden', 'This page may not call the Relaydeck API').toJSON(),
        };
      }
      try {
        return await dispatch(o.handlers, method, input, { transport: 'ipc' }, logger);
      } catch (err) {
        // dispatch maps every failure itself; this only guards the "never throw across IPC" promise.
        logger.error(`IPC method ${method} failed`, { err });
        return {
          ok: false,
          error: new AppError('internal', `Unexpected error in ${method} (see the log)`).toJSON(),
        };
      }
    });
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(ipcChannel(method));
  };
}

/** Sends every bus event to the renderer on IPC_EVENT_CHANNEL as `{event, payload}`; returns an unsubscribe. */
export function forwardEvents(bus: EventBus, send: (channel: string, message: unknown) => void): () => void {
  return bus.subscribe((event, payload) => send(IPC_EVENT_CHANNEL, { event, payload }));
}

/**
 * A sender check that accepts exactly one page: the renderer's `index.html` loaded from disk (any query or
 * fragment), nothing else — not another file, not a remote page that the window was navigated to.
 */
export function isRendererPage(
  indexHtmlPath: string,
  platform: NodeJS.Platform = process.platform,
): (frameUrl: string) => boolean {
  // Windows paths are case-insensitive (and Chromium may spell the drive letter differently).
  const normalise = (p: string) => (platform === 'win32' ? path.resolve(p).toLowerCase() : path.resolve(p));
  const expected = normalise(indexHtmlPath);
  return (frameUrl) => {
    let url: URL;
    try {
      url = new URL(frameUrl);
    } catch {
      return false;
    }
    if (url.protocol !== 'file:' || (url.host !== '' && url.host !== 'localhost')) return false;
    url.search = '';
    url.hash = '';
    try {
      return normalise(fileURLToPath(url)) === expected;
    } catch {
      return false;
    }
  };
}

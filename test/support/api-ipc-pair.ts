/**
 * An in-memory stand-in for Electron's ipcMain / ipcRenderer pair. Like Electron it structured-clones every
 * argument and result (so a non-cloneable value fails here as it would there), rejects `invoke` when the
 * handler throws or no handler is registered, and refuses a second handler on one channel.
 */
import type { IpcInvokeEventLike, IpcMainLike } from '../../src/main/api/ipc-server';
import type { IpcRendererLike, IpcRendererListener } from '../../src/main/api/ipc-bridge';

type MainListener = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

export interface IpcPair {
  ipcMain: IpcMainLike;
  ipcRenderer: IpcRendererLike;
  /** `webContents.send`: main -> renderer. */
  send(channel: string, message: unknown): void;
  /** The URL of the frame the renderer's calls come from. */
  frameUrl: string;
  channels(): string[];
}

export function createIpcPair(frameUrl: string): IpcPair {
  const handlers = new Map<string, MainListener>();
  const listeners = new Map<string, Set<IpcRendererListener>>();
  const pair: IpcPair = {
    frameUrl,
    ipcMain: {
      handle(channel, listener) {
        if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        handlers.set(channel, listener);
      },
      removeHandler(channel) {
        handlers.delete(channel);
      },
    },
    ipcRenderer: {
      async invoke(channel, ...args) {
        const handler = handlers.get(channel);
        if (!handler) throw new Error(`Error invoking remote method '${channel}': No handler registered`);
        try {
          const result = await handler({ senderFrame: { url: pair.frameUrl } }, ...structuredClone(args));
          return structuredClone(result);
        } catch (err) {
          throw new Error(`Error invoking remote method '${channel}': ${String(err)}`, { cause: err });
        }
      },
      on(channel, listener) {
        let set = listeners.get(channel);
        if (!set) listeners.set(channel, (set = new Set()));
        set.add(listener);
      },
      removeListener(channel, listener) {
        listeners.get(channel)?.delete(listener);
      },
    },
    send(channel, message) {
      for (const listener of listeners.get(channel) ?? [])
        listener({ sender: 'main' }, structuredClone(message));
    },
    channels: () => [...handlers.keys()],
  };
  return pair;
}

/**
 * What the preload exposes to the renderer as `window.relaydeck`: exactly one function per contract method
 * (invoking that method's derived IPC channel) and an event subscription. Nothing else — never a raw
 * ipcRenderer, never an arbitrary channel. Pure: it takes a structural `IpcRendererLike`, so it is tested
 * under Node, and it imports no node:* (it is bundled into the sandboxed preload).
 */
import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannel } from '../../shared/contract';
import type { BridgeResult, RelaydeckBridge } from '../../shared/client/ipc-transport';

export type IpcRendererListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's `ipcRenderer` the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcRendererListener): unknown;
  removeListener(channel: string, listener: IpcRendererListener): unknown;
}

export function createBridge(ipc: IpcRendererLike): RelaydeckBridge {
  const methods: Record<string, (input: unknown) => Promise<BridgeResult>> = {};
  for (const method of METHOD_NAMES) {
    const channel = ipcChannel(method);
    methods[method] = (input) => ipc.invoke(channel, input) as Promise<BridgeResult>;
  }
  return Object.freeze({
    methods: Object.freeze(methods),
    onEvent(listener: (event: string, payload: unknown) => void): () => void {
      const onMessage: IpcRendererListener = (_event, message) => {
        if (isEventMessage(message)) listener(message.event, message.payload);
      };
      ipc.on(IPC_EVENT_CHANNEL, onMessage);
      return () => {
        ipc.removeListener(IPC_EVENT_CHANNEL, onMessage);
      };
    },
  });
}

function isEventMessage(message: unknown): message is { event: string; payload: unknown } {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { event?: unknown }).event === 'string'
  );
}

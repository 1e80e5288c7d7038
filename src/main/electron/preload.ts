/**
 * The sandboxed preload: exposes `window.relaydeck` — one function per contract method and an event
 * subscription, built by src/main/api/ipc-bridge.ts — and nothing else (never ipcRenderer itself).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from '../api/ipc-bridge';

contextBridge.exposeInMainWorld('relaydeck', createBridge(ipcRenderer));

/**
 * Entry point of a signing worker (bundled to out/main/sign-worker.cjs). Holds the keys it was sent and
 * signs each message it receives; a signing error is answered as a value, never left unanswered.
 */
import { parentPort } from 'node:worker_threads';
import { asBuffer, transferable, type FromWorker, type ToWorker } from './protocol';
import { signMessage, type DomainKeys } from './signing';

const port = parentPort;
if (!port) throw new Error('sign-worker must run in a worker thread');

let keys = new Map<string, DomainKeys>();

port.on('message', (msg: ToWorker) => {
  switch (msg.kind) {
    case 'keys':
      keys = new Map(msg.keys.map((k) => [k.domain, k]));
      return;
    case 'sign': {
      let reply: FromWorker;
      let transfer: ArrayBuffer[] = [];
      try {
        const domainKeys = keys.get(msg.domain);
        const signed = domainKeys
          ? signMessage(asBuffer(msg.raw), domainKeys, new Date(msg.signTime))
          : msg.raw;
        const out = transferable(signed);
        transfer = out.transfer;
        reply = { kind: 'signed', id: msg.id, raw: out.bytes, dkimDomain: domainKeys ? msg.domain : null };
      } catch (err) {
        reply = { kind: 'failed', id: msg.id, message: err instanceof Error ? err.message : String(err) };
      }
      port.postMessage(reply, transfer);
      return;
    }
  }
});

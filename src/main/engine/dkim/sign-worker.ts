/**
 * Entry point of a signing worker (bundled to out/main/sign-worker.cjs). Holds the keys and the templates it
 * was sent; signs each message it receives, or composes it from its delivery's template and signs it (so a
 * message crosses threads once). Every request is answered, failures as values.
 */
import { parentPort } from 'node:worker_threads';
import { ComposeError, createComposer } from '../relay/compose';
import { asBuffer, transferable, type ComposeJob, type FromWorker, type ToWorker } from './protocol';
import { signMessage, type DomainKeys } from './signing';

const port = parentPort;
if (!port) throw new Error('sign-worker must run in a worker thread');

let keys = new Map<string, DomainKeys>();
const templates = new Map<number, string>();
const composer = createComposer();

function signed(id: number, raw: Buffer, domain: string | null, signTime: number): void {
  const domainKeys = domain === null ? undefined : keys.get(domain);
  const out = transferable(domainKeys ? signMessage(raw, domainKeys, new Date(signTime)) : raw);
  const reply: FromWorker = { kind: 'signed', id, raw: out.bytes, dkimDomain: domainKeys ? domain : null };
  port?.postMessage(reply, out.transfer);
}

function failed(id: number, err: unknown, kind: 'failed' | 'compose-failed' = 'failed'): void {
  const reply: FromWorker = { kind, id, message: err instanceof Error ? err.message : String(err) };
  port?.postMessage(reply);
}

async function composeAndSign(id: number, job: ComposeJob, domain: string | null, signTime: number) {
  const templateJson = templates.get(job.deliveryId);
  if (templateJson === undefined) {
    failed(id, new Error(`no template was sent for delivery ${job.deliveryId}`));
    return;
  }
  let raw: Buffer;
  try {
    ({ raw } = await composer.compose({ ...job, templateJson, date: new Date(job.date) }));
  } catch (err) {
    failed(id, err, err instanceof ComposeError ? 'compose-failed' : 'failed');
    return;
  }
  try {
    signed(id, raw, domain, signTime);
  } catch (err) {
    failed(id, err);
  }
}

port.on('message', (msg: ToWorker) => {
  switch (msg.kind) {
    case 'keys':
      keys = new Map(msg.keys.map((k) => [k.domain, k]));
      return;
    case 'template':
      templates.set(msg.deliveryId, msg.json);
      return;
    case 'forget':
      templates.delete(msg.deliveryId);
      composer.forget(msg.deliveryId);
      return;
    case 'sign':
      try {
        signed(msg.id, asBuffer(msg.raw), msg.domain, msg.signTime);
      } catch (err) {
        failed(msg.id, err);
      }
      return;
    case 'compose':
      void composeAndSign(msg.id, msg.job, msg.domain, msg.signTime);
      return;
  }
});

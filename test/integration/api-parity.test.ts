/**
 * One suite of contract cases, run against both transports serving the same real app (A's openApp on a temp
 * data dir, sandbox on): (a) the HTTP server through createHttpTransport (Node's fetch + the `ws` WebSocket),
 * (b) the IPC server on an in-memory ipcMain/ipcRenderer pair that structured-clones like Electron, through the
 * preload bridge and createIpcTransport. Both go through createClient, as the renderer does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/main/app';
import { systemClock } from '../../src/main/clock';
import { nodeDns } from '../../src/main/engine/relay/node-dns';
import { chromiumPrinter } from '../../src/main/node/report-printer';
import { startHttpServer, type HttpServer } from '../../src/main/api/http-server';
import { createBridge } from '../../src/main/api/ipc-bridge';
import { forwardEvents, isRendererPage, registerIpcHandlers } from '../../src/main/api/ipc-server';
import { createLogger } from '../../src/main/logger';
import { createClient, type Client, type Transport } from '../../src/shared/client';
import { createHttpTransport, type WebSocketCtor } from '../../src/shared/client/http-transport';
import { createIpcTransport } from '../../src/shared/client/ipc-transport';
import { AppError, type Delivery } from '../../src/shared/contract';
import { createIpcPair } from '../support/api-ipc-pair';
import { fileSecrets } from '../../src/main/secrets/secret-store';
import { recordDestinationDays } from '../../src/main/store/destination-days-repo';

const RENDERER_INDEX = '/opt/relaydeck/out/renderer/index.html';

let dir: string;
let app: App;
let server: HttpServer;
const cleanups: (() => unknown)[] = [];
const transports: Record<'http' | 'ipc', Transport> = {} as never;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
  app = await openApp({
    clock: systemClock,
    dns: nodeDns,
    reportPrinter: chromiumPrinter,
    secrets: fileSecrets,
    dataDir: dir,
    logger: createLogger({ file: path.join(dir, 'test.log'), stderrLevel: 'silent' }),
    sandbox: { port: 0 },
  });

  server = await startHttpServer({
    handlers: app.handlers,
    bus: app.bus,
    logger: app.logger,
    staticDir: null,
  });
  transports.http = createHttpTransport({
    baseUrl: server.url,
    token: server.token,
    WebSocket: WebSocket as unknown as WebSocketCtor,
    reconnectMs: 50,
  });

  const pair = createIpcPair(pathToFileURL(RENDERER_INDEX).href);
  cleanups.push(
    registerIpcHandlers(pair.ipcMain, {
      handlers: app.handlers,
      logger: app.logger,
      isTrustedSender: isRendererPage(RENDERER_INDEX),
    }),
    forwardEvents(app.bus, pair.send),
  );
  transports.ipc = createIpcTransport(createBridge(pair.ipcRenderer));
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server?.close();
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const TEMPLATE = {
  fromName: 'Parity',
  fromAddress: 'news@relaydeck.test',
  subject: 'Hello {{first_name}}',
  text: 'Hi {{first_name}}',
};
/**
 * The sandbox greylists an address once, and a hard bounce quarantines an address (excluded from the next
 * delivery), so each transport gets its own greylisted and unknown recipients.
 */
const csv = (kind: string) =>
  [
    'email,first_name',
    'ada@inbox.test,Ada',
    `unknown.${kind}@mail.test,Bob`,
    `grey.${kind}@corp.test,Cy`,
    'dee@shop.test,Dee',
  ].join('\n');

/** Rejects with the AppError a call fails with (a call that succeeds fails the test). */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/**
 * Waits, driven by push events (bounded), until the delivery satisfies `done`; checks once right after
 * subscribing so an event sent before the subscription is not missed.
 */
function waitForDelivery(
  client: Client,
  id: string,
  done: (d: Delivery) => boolean,
  ms: number,
): Promise<Delivery> {
  return new Promise((resolve, reject) => {
    let last: Delivery | null = null;
    let settled = false;
    const finish = (err: Error | null, d?: Delivery) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      off();
      if (err) reject(err);
      else resolve(d as Delivery);
    };
    const check = () => {
      client.call('deliveries.get', { id }).then((d) => {
        last = d;
        if (done(d)) finish(null, d);
      }, finish);
    };
    const timer = setTimeout(
      () =>
        finish(new Error(`delivery ${id} not done after ${ms} ms: ${JSON.stringify(last?.statusCounts)}`)),
      ms,
    );
    const off = client.on('delivery.changed', (payload) => {
      if (payload.id === id) check();
    });
    check();
  });
}

describe.each(['http', 'ipc'] as const)('contract over %s', (kind) => {
  let client: Client;
  beforeAll(() => {
    client = createClient(transports[kind]);
  });

  it('app.info names the transport, the running sandbox and the default route', async () => {
    const info = await client.call('app.info', {});
    expect(info.transport).toBe(kind);
    expect(info.dataDir).toBe(path.resolve(dir));
    expect(info.sandbox).toMatchObject({ running: true, host: '127.0.0.1', port: app.sandbox?.port });
    expect(info.sandbox.domains).toEqual(
      expect.arrayContaining(['inbox.test', 'mail.test', 'corp.test', 'shop.test']),
    );
    expect(info.defaultRoute).toEqual({ kind: 'sandbox' });
  });

  it('lists the seeded demo template and recipient list', async () => {
    const templates = await client.call('templates.list', {});
    expect(templates.items.length).toBeGreaterThan(0);
    expect(templates.items[0]).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      fromAddress: expect.any(String),
    });
    const lists = await client.call('samples.lists', {});
    expect(lists.items.length).toBeGreaterThan(0);
    expect(lists.items[0]?.csv).toMatch(/^email,/);
  });

  it('previews a recipient list, reporting a bad row by its line', async () => {
    const preview = await client.call('recipients.preview', {
      fileName: 'list.csv',
      csv: 'email,first_name\nada@inbox.test,Ada\nnot-an-address,Bob\nada@inbox.test,Ada again\n',
    });
    expect(preview).toMatchObject({
      fileName: 'list.csv',
      columns: ['email', 'first_name'],
      total: 3,
      duplicates: 1,
    });
    expect(preview.errors).toEqual([expect.objectContaining({ line: 3 })]);
  });

  it('rejects invalid input with the field path of each problem', async () => {
    const err = await failure(
      client.call('deliveries.create', {
        name: 'Broken',
        template: { ...TEMPLATE, fromAddress: 7 as unknown as string },
        recipients: { csv: csv(kind) },
        routes: [{ mask: 'not a mask!', target: { kind: 'sandbox' } }],
      }),
    );
    expect(err.code).toBe('invalid_input');
    expect(err.details?.map((d) => d.field)).toEqual(['template.fromAddress', 'routes.0.mask']);
  });

  it("answers a destination's reputation history, and a stored destination in the list", async () => {
    const destination = `mx:mx.history-${kind}.test`;
    const today = new Date().toISOString().slice(0, 10);
    recordDestinationDays(
      app.db,
      [
        {
          destination,
          day: today,
          accepted: 90,
          deferred: 8,
          failed: 2,
          refusedSessions: 3,
          maxConnections: 2,
          maxMessagesPerConnection: 10,
          messagesPerHour: 600,
        },
      ],
      Date.now(),
    );
    const history = await client.call('destinations.history', { destination, days: 7 });
    expect(history.to).toBe(today);
    expect(history.items).toEqual([
      {
        destination,
        day: today,
        accepted: 90,
        deferred: 8,
        failed: 2,
        refusedSessions: 3,
        maxConnections: 2,
        maxMessagesPerConnection: 10,
        messagesPerHour: 600,
      },
    ]);
    expect((await client.call('destinations.history', { destination: 'mx:none.test' })).items).toEqual([]);
    const listed = await client.call('destinations.list', {});
    expect(listed.items.find((d) => d.key === destination)).toMatchObject({
      kind: 'mx',
      hosts: [`mx.history-${kind}.test`],
      live: false,
    });

    const err = await failure(client.call('destinations.history', { destination: '', days: 401 }));
    expect(err.code).toBe('invalid_input');
    expect(err.details?.map((d) => d.field)).toEqual(['destination', 'days']);
  });

  it('answers unknown_method for a method outside the contract', async () => {
    await expect(transports[kind].invoke('deliveries.destroy', {})).rejects.toMatchObject({
      code: 'unknown_method',
    });
  });

  it('answers not_found for a delivery that does not exist', async () => {
    expect((await failure(client.call('deliveries.get', { id: '999999' }))).code).toBe('not_found');
  });

  it('runs a small delivery against the sandbox to completion, seen through push events', async () => {
    const created = await client.call('deliveries.create', {
      name: `Parity ${kind}`,
      template: TEMPLATE,
      recipients: { fileName: 'parity.csv', csv: csv(kind) },
      timeScale: 100_000,
    });
    expect(created.import).toMatchObject({ total: 4, accepted: 4, errors: [] });
    const id = created.delivery.id;
    const done = await waitForDelivery(client, id, (d) => d.completedAt !== null, 45_000);
    expect(done.state).toBe('completed');
    expect(done.statusCounts).toMatchObject({ sent: 3, failed: 1 });
    expect(done.inMta).toBe(0);

    const failed = await client.call('logs.page', { deliveryId: id, filter: { status: ['failed'] } });
    expect(failed.total).toBe(1);
    expect(failed.items.map((r) => [r.email, r.reason])).toEqual([
      [`unknown.${kind}@mail.test`, 'user_unknown'],
    ]);

    const grey = await client.call('logs.page', { deliveryId: id, filter: { search: 'grey' } });
    expect(grey.items.map((r) => [r.email, r.status])).toEqual([[`grey.${kind}@corp.test`, 'sent']]);
    expect(grey.items[0]?.attempts).toBe(2);

    const paged = await client.call('logs.page', { deliveryId: id, limit: 2 });
    expect(paged.total).toBe(4);
    expect(paged.items).toHaveLength(2);
    const rest = await client.call('logs.page', { deliveryId: id, limit: 2, cursor: paged.nextCursor });
    expect(rest.items.map((r) => r.email)).not.toContain(paged.items[0]?.email);

    const attempts = await client.call('logs.attempts', { logId: grey.items[0]!.id });
    expect(attempts.items.map((a) => a.outcome)).toEqual(['deferred', 'accepted']);
  });

  it('refuses pause and resume out of order and stop twice, with conflict', async () => {
    const { delivery } = await client.call('deliveries.create', {
      name: `Lifecycle ${kind}`,
      template: TEMPLATE,
      recipients: { csv: csv(`lifecycle.${kind}`) },
      start: false,
    });
    expect((await failure(client.call('deliveries.pause', { id: delivery.id }))).code).toBe('conflict');
    expect((await failure(client.call('deliveries.resume', { id: delivery.id }))).code).toBe('conflict');
    const stopped = await client.call('deliveries.stop', { id: delivery.id });
    expect(stopped.state).toBe('stopped');
    expect(stopped.statusCounts.cancelled).toBe(4);
    const again = await failure(client.call('deliveries.stop', { id: delivery.id }));
    expect(again.code).toBe('conflict');
    expect(again.message).toMatch(/already stopped/);
  });
});

describe('both transports', () => {
  it('fail the same way, with the same code, message and details', async () => {
    const http = createClient(transports.http);
    const ipc = createClient(transports.ipc);
    const cases: [string, unknown][] = [
      ['deliveries.create', { name: '', template: { fromAddress: 'x' }, recipients: {} }],
      ['logs.page', { deliveryId: 'abc', limit: 10_000 }],
      ['deliveries.get', { id: '424242' }],
      ['app.info', 'not an object'],
      ['destinations.history', { destination: 'mx:a.test', days: 0 }],
    ];
    for (const [method, input] of cases) {
      const viaHttp = await failure(http.call(method as 'app.info', input as never));
      const viaIpc = await failure(ipc.call(method as 'app.info', input as never));
      expect(viaIpc.toJSON(), method).toEqual(viaHttp.toJSON());
      expect(viaIpc.code, method).not.toBe('internal');
    }
  });

  it('return the same values', async () => {
    const [viaHttp, viaIpc] = await Promise.all(
      [transports.http, transports.ipc].map((t) => createClient(t).call('deliveries.list', { limit: 500 })),
    );
    expect(viaIpc).toEqual(viaHttp);
  });
});

import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createBridge } from '../../src/main/api/ipc-bridge';
import { forwardEvents, isRendererPage, registerIpcHandlers } from '../../src/main/api/ipc-server';
import { createEventBus } from '../../src/main/api/event-bus';
import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannel } from '../../src/shared/contract';
import { fakeAppInfo, fakeHandlers } from '../support/api-fake-handlers';
import { createIpcPair } from '../support/api-ipc-pair';
import { captureLogger } from '../support/api-test-logger';

const INDEX = '/opt/relaydeck/out/renderer/index.html';
const INDEX_URL = pathToFileURL(INDEX).href;

function setup() {
  const pair = createIpcPair(INDEX_URL);
  const logger = captureLogger();
  const calls: unknown[] = [];
  const handlers = fakeHandlers({
    'app.info': (_input, ctx) => {
      calls.push(ctx);
      return { ...fakeAppInfo, transport: ctx.transport };
    },
  });
  const unregister = registerIpcHandlers(pair.ipcMain, {
    handlers,
    logger,
    isTrustedSender: isRendererPage(INDEX),
  });
  return { pair, logger, calls, unregister, bridge: createBridge(pair.ipcRenderer) };
}

describe('IPC server and preload bridge', () => {
  it('registers exactly one channel per contract method, named from the contract', () => {
    const { pair, unregister } = setup();
    expect(pair.channels().sort()).toEqual(METHOD_NAMES.map(ipcChannel).sort());
    unregister();
    expect(pair.channels()).toEqual([]);
  });

  it('exposes exactly the contract methods and nothing that reaches ipcRenderer', () => {
    const { bridge } = setup();
    expect(Object.keys(bridge).sort()).toEqual(['methods', 'onEvent']);
    expect(Object.keys(bridge.methods).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.isFrozen(bridge.methods)).toBe(true);
  });

  it('calls a method with transport ipc and returns the result object', async () => {
    const { bridge, calls } = setup();
    const result = await bridge.methods['app.info']!({});
    expect(result).toEqual({ ok: true, value: { ...fakeAppInfo, transport: 'ipc' } });
    expect(calls).toEqual([{ transport: 'ipc' }]);
  });

  it('returns errors as values, never as a rejected invoke', async () => {
    const { bridge } = setup();
    await expect(bridge.methods['deliveries.get']!({ id: 'x' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid_input', details: [{ field: 'id' }] },
    });
    await expect(bridge.methods['deliveries.get']!({ id: '1' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });

  it('refuses calls from any frame other than our renderer page', async () => {
    const { pair, bridge, calls, logger } = setup();
    for (const url of ['https://evil.example/', 'file:///tmp/other.html', 'about:blank', '']) {
      pair.frameUrl = url;
      await expect(bridge.methods['app.info']!({})).resolves.toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    expect(calls).toEqual([]);
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(4);
  });

  it('forwards bus events to onEvent listeners until they unsubscribe', () => {
    const { pair, bridge } = setup();
    const bus = createEventBus(60_000);
    const stop = forwardEvents(bus, pair.send);
    const seen: unknown[] = [];
    const off = bridge.onEvent((event, payload) => seen.push([event, payload]));
    bus.deliveryChanged('3');
    bus.flush();
    pair.send(IPC_EVENT_CHANNEL, 'not an event message');
    off();
    bus.logsChanged('3');
    bus.flush();
    expect(seen).toEqual([['delivery.changed', { id: '3' }]]);
    stop();
    bus.close();
  });
});

describe('renderer page check', () => {
  const trusted = isRendererPage(INDEX);

  it('accepts the index page with any fragment or query', () => {
    expect(trusted(INDEX_URL)).toBe(true);
    expect(trusted(`${INDEX_URL}#/deliveries/3`)).toBe(true);
    expect(trusted(`${INDEX_URL}?x=1`)).toBe(true);
  });

  it('refuses other files, remote pages and garbage', () => {
    for (const url of [
      pathToFileURL('/opt/relaydeck/out/renderer/other.html').href,
      pathToFileURL('/opt/relaydeck/out/renderer/index.html.evil').href,
      'file://evil-host/opt/relaydeck/out/renderer/index.html',
      'http://127.0.0.1:5173/index.html',
      'https://opt/relaydeck/out/renderer/index.html',
      'not a url',
      '',
    ]) {
      expect(trusted(url)).toBe(false);
    }
  });
});

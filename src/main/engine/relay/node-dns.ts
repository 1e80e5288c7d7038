/**
 * The production DNS resolver: MX, A and AAAA queries with their TTLs, which node's resolver does not give for
 * MX. Messages are encoded by dns-packet and sent over UDP to the configured servers (the system's, from
 * `dns.getServers()`), again over TCP when the answer is truncated. Each server gets `tries` attempts of
 * `timeoutMs` when it does not answer; SERVFAIL, REFUSED or an unreachable server moves on to the next one.
 * Failures carry node:dns's codes (see `DnsResolver`); NXDOMAIN and NODATA carry the negative TTL of the zone's
 * SOA (RFC 2308 §5).
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { getServers } from 'node:dns';
import net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type Packet, type RecordType } from 'dns-packet';
import { systemClock, type Clock } from '../../clock';
import type { AnalysisDns } from '../../analysis/dns';

export interface DnsClientOptions {
  /** Servers as `dns.getServers()` lists them ('192.0.2.1', '192.0.2.1:5353', '[2001:db8::1]:53'). */
  servers?: readonly string[];
  /** How long one attempt waits for an answer. */
  timeoutMs?: number;
  /** Attempts per server when it does not answer (2: one retry). */
  tries?: number;
  /** Times the attempts out; the real clock in production (a network wait, not engine time). */
  clock: Clock;
}

type DnsFailure = Error & { code: string; ttl?: number };

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** The error codes node:dns uses for the failure response codes a server may give. */
const RCODE_ERRORS: Record<number, string> = {
  [RCODE.FORMERR]: 'EFORMERR',
  [RCODE.SERVFAIL]: 'ESERVFAIL',
  [RCODE.NOTIMP]: 'ENOTIMP',
  [RCODE.REFUSED]: 'EREFUSED',
};

/** The engine's lookups (MX, A, AAAA) and the delivery analysis's TXT lookups (DKIM, SPF, DMARC). */
export function createDnsResolver(options: DnsClientOptions): AnalysisDns {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const tries = options.tries ?? 2;
  const { clock } = options;
  // Servers given in code are checked at once; the system's are valid by construction.
  const configured = options.servers?.map(parseServer);

  /** The first server's final answer; a server that fails or does not answer hands over to the next one. */
  async function query(name: string, type: RecordType): Promise<DecodedPacket> {
    const servers = configured ?? getServers().map(parseServer);
    if (!validName(name)) throw dnsFailure('EBADNAME', `query${type} ${name}: not a valid domain name`);
    let failure: DnsFailure = dnsFailure('ECONNREFUSED', `query${type} ${name}: no DNS server configured`);
    for (const server of servers) {
      for (let attempt = 1; attempt <= tries; attempt++) {
        const exchange = { server, name, type, timeoutMs, clock };
        try {
          const udpAnswer = await overUdp(exchange);
          const answer = udpAnswer.flag_tc ? await overTcp(exchange) : udpAnswer;
          const rcode = rcodeOf(answer);
          if (rcode === RCODE.NOERROR || rcode === RCODE.NXDOMAIN) return answer;
          const code = RCODE_ERRORS[rcode] ?? 'EBADRESP';
          failure = dnsFailure(code, `query${type} ${name}: ${code} from ${server.label}`);
        } catch (err) {
          failure = err as DnsFailure;
          if (failure.code === 'ETIMEOUT') continue;
        }
        break;
      }
    }
    throw failure;
  }

  /**
   * The records of `type` in the answer with their TTL, cut to the TTL of the CNAMEs leading to them; an
   * answer without any is NXDOMAIN or NODATA, with the zone's negative TTL.
   */
  async function records(
    name: string,
    type: 'MX' | 'A' | 'AAAA' | 'TXT',
  ): Promise<{ record: Answer; ttl: number }[]> {
    const answer = await query(name, type);
    const all = answer.answers ?? [];
    const found = all.filter((a) => a.type === type);
    if (rcodeOf(answer) === RCODE.NXDOMAIN || found.length === 0) {
      const code = rcodeOf(answer) === RCODE.NXDOMAIN ? 'ENOTFOUND' : 'ENODATA';
      throw dnsFailure(code, `query${type} ${name}: ${code}`, negativeTtl(answer));
    }
    const chainTtl = Math.min(...all.map((a) => (a.type === 'CNAME' ? (a.ttl ?? 0) : Infinity)));
    return found.map((record) => ({ record, ttl: Math.min(ttlOf(record), chainTtl) }));
  }

  async function addresses(name: string, type: 'A' | 'AAAA') {
    return (await records(name, type)).flatMap(({ record, ttl }) =>
      record.type === type ? [{ address: record.data, ttl }] : [],
    );
  }

  return {
    async resolveMx(domain) {
      return (await records(domain, 'MX')).flatMap(({ record, ttl }) =>
        record.type === 'MX'
          ? [{ exchange: record.data.exchange, priority: record.data.preference ?? 0, ttl }]
          : [],
      );
    },
    resolve4: (host) => addresses(host, 'A'),
    resolve6: (host) => addresses(host, 'AAAA'),
    async resolveTxt(name) {
      // Each record is a list of character-strings (RFC 1035 §3.3.14), as node:dns gives them.
      return (await records(name, 'TXT')).flatMap(({ record }) => {
        if (record.type !== 'TXT') return [];
        const strings = Array.isArray(record.data) ? record.data : [record.data];
        return [strings.map((s) => (typeof s === 'string' ? s : s.toString('utf8')))];
      });
    },
  };
}

/** The resolver the application uses: the system's DNS servers, 5 s per attempt, one retry. */
export const nodeDns: AnalysisDns = createDnsResolver({ clock: systemClock });

interface Server {
  host: string;
  port: number;
  family: 4 | 6;
  label: string;
}

interface Exchange {
  server: Server;
  name: string;
  type: RecordType;
  timeoutMs: number;
  clock: Clock;
}

function parseServer(entry: string): Server {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const [host, port] = bracketed
    ? [bracketed[1] ?? '', bracketed[2]]
    : net.isIPv6(entry)
      ? [entry, undefined]
      : (entry.split(':') as [string, string | undefined]);
  const family = net.isIP(host);
  const portNumber = port === undefined ? 53 : Number(port);
  if (family === 0 || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65_535) {
    throw new Error(`DNS server "${entry}" is not an IP address with an optional port`);
  }
  return { host, port: portNumber, family: family === 6 ? 6 : 4, label: entry };
}

/** Negative-caching TTL (RFC 2308 §5): the smaller of the SOA record's TTL and its minimum field. */
function negativeTtl(answer: DecodedPacket): number | undefined {
  const soa = (answer.authorities ?? []).find((a) => a.type === 'SOA');
  if (soa?.type !== 'SOA') return undefined;
  return Math.min(soa.ttl ?? Infinity, soa.data.minimum ?? Infinity);
}

/** RFC 1035 §2.3.4: labels of 1 to 63 octets, 255 octets in all (253 characters as text). */
function validName(name: string): boolean {
  const labels = name.replace(/\.$/, '').split('.');
  return name.length <= 253 && labels.every((l) => l.length > 0 && Buffer.byteLength(l) <= 63);
}

const rcodeOf = (packet: DecodedPacket): number => (packet.flags ?? 0) & 0xf;

const ttlOf = (record: Answer): number => ('ttl' in record ? (record.ttl ?? 0) : 0);

function dnsFailure(code: string, message: string, ttl?: number): DnsFailure {
  return Object.assign(new Error(message), { code }, ttl === undefined ? {} : { ttl });
}

function queryPacket(q: { name: string; type: RecordType }, id: number): Packet {
  return {
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: q.type, name: q.name }],
  };
}

/** Whether a decoded message is the answer to this query (a stray or spoofed datagram is ignored). */
function answers(packet: DecodedPacket, x: Exchange, id: number): boolean {
  const q = packet.questions?.[0];
  return (
    packet.type === 'response' &&
    packet.id === id &&
    q?.type === x.type &&
    q.name.toLowerCase() === x.name.toLowerCase()
  );
}

/**
 * Runs one exchange: `start` wires the socket and settles once with the answer or a failure; the clock's timer
 * settles with ETIMEOUT. Either way the socket is closed by the function `start` returns.
 */
function exchangeWith(
  x: Exchange,
  start: (settle: (outcome: DecodedPacket | DnsFailure) => void) => () => void,
): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    let done = false;
    let close: () => void = () => undefined;
    const cancelTimer = x.clock.at(x.clock.now() + x.timeoutMs, () =>
      settle(dnsFailure('ETIMEOUT', `query${x.type} ${x.name}: no answer from ${x.server.label}`)),
    );
    function settle(outcome: DecodedPacket | DnsFailure): void {
      if (done) return;
      done = true;
      cancelTimer();
      close();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    }
    close = start(settle);
    if (done) close();
  });
}

function socketFailure(x: Exchange, err: Error): DnsFailure {
  const code = (err as { code?: unknown }).code;
  return dnsFailure(
    typeof code === 'string' ? code : 'ECONNREFUSED',
    `query${x.type} ${x.name}: ${x.server.label}: ${err.message}`,
  );
}

function overUdp(x: Exchange): Promise<DecodedPacket> {
  const id = randomInt(0x10000);
  return exchangeWith(x, (settle) => {
    const socket = dgram.createSocket(x.server.family === 6 ? 'udp6' : 'udp4');
    socket.on('error', (err) => settle(socketFailure(x, err)));
    socket.on('message', (msg) => {
      let packet: DecodedPacket;
      try {
        packet = dnsPacket.decode(msg);
      } catch {
        return; // not a DNS message: keep waiting for the answer
      }
      if (answers(packet, x, id)) settle(packet);
    });
    // A connected socket only hears from the server, and gets ECONNREFUSED when nothing listens there.
    socket.connect(x.server.port, x.server.host, () => socket.send(dnsPacket.encode(queryPacket(x, id))));
    return () => socket.close();
  });
}

function overTcp(x: Exchange): Promise<DecodedPacket> {
  const id = randomInt(0x10000);
  return exchangeWith(x, (settle) => {
    const socket = net.connect({ host: x.server.host, port: x.server.port });
    let received = Buffer.alloc(0);
    socket.on('connect', () => socket.write(dnsPacket.streamEncode(queryPacket(x, id))));
    socket.on('error', (err) => settle(socketFailure(x, err)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Each TCP message is preceded by its length in two bytes (RFC 1035 §4.2.2).
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      let packet: DecodedPacket;
      try {
        packet = dnsPacket.decode(received.subarray(2, 2 + received.readUInt16BE(0)));
      } catch (err) {
        settle(dnsFailure('EBADRESP', `query${x.type} ${x.name}: bad answer over TCP: ${String(err)}`));
        return;
      }
      if (answers(packet, x, id)) settle(packet);
      else settle(dnsFailure('EBADRESP', `query${x.type} ${x.name}: TCP answer to another query`));
    });
    socket.on('end', () =>
      settle(dnsFailure('EBADRESP', `query${x.type} ${x.name}: ${x.server.label} closed before answering`)),
    );
    return () => socket.destroy();
  });
}

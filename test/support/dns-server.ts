/**
 * A scripted DNS server on 127.0.0.1 (UDP and TCP on one port) for the resolver's integration tests: each
 * question is answered by the test's `reply` function, and every query is logged with its transport.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type Question } from 'dns-packet';

export type DnsReply =
  /** Never answers (the client times out). */
  | 'silent'
  | {
      rcode?: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
      answers?: Answer[];
      authorities?: Answer[];
      /** Over UDP: an empty answer with the TC flag, so the client asks again over TCP. */
      truncateOverUdp?: boolean;
      /** Over UDP: first a datagram answering another query id, which the client must ignore. */
      strayFirst?: boolean;
    };

export interface DnsServer {
  /** `127.0.0.1:PORT`, as a resolver's `servers` entry. */
  address: string;
  queries: { transport: 'udp' | 'tcp'; type: string; name: string }[];
  close(): Promise<void>;
}

const RCODES = { NOERROR: 0, NXDOMAIN: 3, SERVFAIL: 2, REFUSED: 5 } as const;

export async function startDnsServer(reply: (q: Question) => DnsReply): Promise<DnsServer> {
  const queries: DnsServer['queries'] = [];

  /** The datagrams or TCP messages answering `query` (none: silent). */
  function respond(query: DecodedPacket, transport: 'udp' | 'tcp'): Buffer[] {
    const question = query.questions?.[0];
    if (!question) return [];
    queries.push({ transport, type: question.type, name: question.name });
    const r = reply(question);
    if (r === 'silent') return [];
    const truncated = transport === 'udp' && r.truncateOverUdp === true;
    const packet = (id: number) =>
      dnsPacket.encode({
        type: 'response',
        id,
        flags:
          dnsPacket.RECURSION_DESIRED |
          dnsPacket.RECURSION_AVAILABLE |
          (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
          RCODES[r.rcode ?? 'NOERROR'],
        questions: [question],
        answers: truncated ? [] : (r.answers ?? []),
        authorities: truncated ? [] : (r.authorities ?? []),
      });
    const id = query.id ?? 0;
    const stray = transport === 'udp' && r.strayFirst ? [packet((id + 1) & 0xffff)] : [];
    return [...stray, packet(id)];
  }

  const onUdp = (udp: dgram.Socket) => (msg: Buffer, peer: dgram.RemoteInfo) => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // not a DNS query: a real server drops it too
    }
    for (const out of respond(query, 'udp')) udp.send(out, peer.port, peer.address);
  };

  const sockets = new Set<net.Socket>();
  const onTcp = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      const query = dnsPacket.decode(received.subarray(2, 2 + received.readUInt16BE(0)));
      for (const out of respond(query, 'tcp')) {
        const framed = Buffer.alloc(2 + out.length);
        framed.writeUInt16BE(out.length, 0);
        out.copy(framed, 2);
        socket.write(framed);
      }
    });
  };

  const { udp, tcp, port } = await bindPair(onUdp, onTcp);

  return {
    address: `127.0.0.1:${port}`,
    queries,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** A UDP port from the system, and TCP on the same number (a few tries: that one may be taken for TCP). */
async function bindPair(
  onUdp: (udp: dgram.Socket) => (msg: Buffer, peer: dgram.RemoteInfo) => void,
  onTcp: (socket: net.Socket) => void,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const udp = dgram.createSocket('udp4');
    udp.on('message', onUdp(udp));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    const tcp = net.createServer(onTcp);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, '127.0.0.1', resolve);
      });
      return { udp, tcp, port };
    } catch (err) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if (attempt >= 5) throw err;
    }
  }
}

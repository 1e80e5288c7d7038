/** The production DNS resolver: node's resolver (system servers), with a bounded timeout and retries. */
import { Resolver } from 'node:dns/promises';
import type { DnsResolver } from '../types';

const resolver = new Resolver({ timeout: 5_000, tries: 2 });

export const nodeDns: DnsResolver = {
  resolveMx: (domain) => resolver.resolveMx(domain),
  resolve4: (host) => resolver.resolve4(host),
  resolve6: (host) => resolver.resolve6(host),
};

/**
 * Where a message goes. In order: the delivery's most specific matching route, the delivery's smart host,
 * the default route (settings), then MX lookup. `{kind:'sandbox'}` resolves to the built-in sandbox's
 * listener for the domain (each profile is its own destination). Messages are grouped (and connections shared) by `Destination.key`.
 */
import type { HostPort, Route, RouteTarget } from '../../../shared/contract';
import { mostSpecific } from '../../../shared/domain/domain-mask';
import type { Destination, SmtpOutcome } from '../types';
import type { MxResolver } from './mx';

export interface DeliveryRouting {
  routes: readonly Route[];
  smarthost: HostPort | null;
}

export type RouteSource = 'route' | 'smarthost' | 'default' | 'mx';

/**
 * The first matching rule of the resolution order; `target: null` means MX lookup. The default route may be
 * given as a getter: it is read only when neither a route nor the smart host applies.
 */
export function chooseRoute(
  domain: string,
  delivery: DeliveryRouting,
  defaultRoute: RouteTarget | null | (() => RouteTarget | null),
): { source: RouteSource; target: RouteTarget | null } {
  const route = mostSpecific(delivery.routes, domain);
  if (route) return { source: 'route', target: route.target };
  if (delivery.smarthost) return { source: 'smarthost', target: { kind: 'smtp', ...delivery.smarthost } };
  const fallback = typeof defaultRoute === 'function' ? defaultRoute() : defaultRoute;
  if (fallback) return { source: 'default', target: fallback };
  return { source: 'mx', target: null };
}

export type Resolution =
  | { ok: true; source: RouteSource; destination: Destination }
  /** No destination: the outcome to record (deferred or failed), without any SMTP reply. */
  | { ok: false; source: RouteSource; outcome: SmtpOutcome };

export interface Router {
  resolve(domain: string, delivery: DeliveryRouting): Promise<Resolution>;
}

export interface RouterOptions {
  mx: MxResolver;
  defaultRoute: () => RouteTarget | null;
  /** The sandbox's listener for a recipient domain (one per profile), null when it is not running. */
  sandboxAddress: (domain: string) => HostPort | null;
}

export function smtpDestination(host: HostPort): Destination {
  return { key: `smtp:${host.host}:${host.port}`, hosts: [{ host: host.host, port: host.port }] };
}

export function createRouter(o: RouterOptions): Router {
  return {
    async resolve(domain, delivery) {
      const { source, target } = chooseRoute(domain, delivery, o.defaultRoute);
      if (target === null) return resolveMx(domain, o.mx);
      switch (target.kind) {
        case 'smtp':
          return { ok: true, source, destination: smtpDestination(target) };
        case 'sandbox': {
          const address = o.sandboxAddress(domain);
          if (address) return { ok: true, source, destination: smtpDestination(address) };
          return {
            ok: false,
            source,
            outcome: noReply(
              'deferred',
              'ROUTE',
              `route to the built-in sandbox, but the sandbox is not running`,
            ),
          };
        }
      }
    },
  };
}

async function resolveMx(domain: string, mx: MxResolver): Promise<Resolution> {
  const result = await mx.resolve(domain);
  switch (result.kind) {
    case 'hosts':
      // Domains sharing the same MX hosts share a destination (and its connections and limits).
      return {
        ok: true,
        source: 'mx',
        destination: {
          key: `mx:${result.hosts
            .map((h) => h.host)
            .sort()
            .join(',')}`,
          hosts: result.hosts,
        },
      };
    case 'no_mail':
      return { ok: false, source: 'mx', outcome: noReply('failed', 'DNS', result.text) };
    case 'not_found':
    case 'dns_error':
      return { ok: false, source: 'mx', outcome: noReply('deferred', 'DNS', result.text) };
  }
}

function noReply(kind: 'deferred' | 'failed', command: string, text: string): SmtpOutcome {
  return {
    kind,
    code: null,
    enhanced: null,
    text,
    command,
    mxHost: null,
    ip: null,
    tls: false,
    durationMs: 0,
  };
}

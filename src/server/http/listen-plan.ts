/**
 * Which sockets the http block needs and which `server {}` answers a request
 * (nginx's ngx_http_find_virtual_server, without regex names): one socket per
 * address:port; when a port also has a wildcard listen, nginx binds only the
 * wildcard and picks the server by the connection's local address, and so do
 * we. Among candidate servers, the first whose server_name matches Host
 * (exact, `*.example.com`, `.example.com`) wins, else the first one (the
 * default server).
 */
import type { HttpConfig, HttpServerConfig, ListenAddress } from "../../config/types.js";

export interface PlannedSocket {
  /** `host:port`, host `*` for every address. */
  key: string;
  address: ListenAddress;
  servers: HttpServerConfig[];
}

export function listenKey(a: ListenAddress): string {
  return `${a.host ?? "*"}:${a.port}`;
}

export function planSockets(http: HttpConfig | null): Map<string, PlannedSocket> {
  const plan = new Map<string, PlannedSocket>();
  if (!http) return plan;
  const wildcardPorts = new Set<number>();
  for (const s of http.servers) for (const l of s.listen) if (l.host === null) wildcardPorts.add(l.port);
  for (const s of http.servers) {
    for (const l of s.listen) {
      const address: ListenAddress = wildcardPorts.has(l.port) ? { host: null, port: l.port } : l;
      const key = listenKey(address);
      let p = plan.get(key);
      if (!p) {
        p = { key, address, servers: [] };
        plan.set(key, p);
      }
      if (!p.servers.includes(s)) p.servers.push(s);
    }
  }
  return plan;
}

function nameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p === host) return true;
  if (p.startsWith("*.")) return host.endsWith(p.slice(1));
  if (p.startsWith(".")) return host === p.slice(1) || host.endsWith(p);
  return false;
}

/** The server for a request that came on a socket of `servers`, to local `localAddress:port`. */
export function pickServer(
  servers: readonly HttpServerConfig[],
  localAddress: string,
  port: number,
  hostHeader: string | undefined,
): HttpServerConfig | undefined {
  const local = localAddress.startsWith("::ffff:") ? localAddress.slice(7) : localAddress;
  const candidates = servers.filter((s) =>
    s.listen.some((l) => l.port === port && (l.host === null || l.host === local)),
  );
  const pool = candidates.length ? candidates : servers;
  if (hostHeader) {
    const host = hostHeader.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
    const named = pool.find((s) => s.serverName.some((n) => nameMatches(n, host)));
    if (named) return named;
  }
  return pool[0];
}

/** nginx's ngx_http_validate_host, roughly: no `/`, `\`, NUL, no `..`, brackets only for IPv6. */
export function validHost(host: string): boolean {
  if (host.length === 0 || host.length > 255) return false;
  if (host.includes("..")) return false;
  return /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(:\d{1,5})?$/.test(host);
}

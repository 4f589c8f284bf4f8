/**
 * The `http {}` block served with node:http: sockets per listen address,
 * server and location choice, static files (FileOverlay first, then disk),
 * onair's player routes, the access log, reload that keeps listening
 * sockets, graceful quit. Behaviour follows nginx; README.md in this folder
 * lists what is supported and where onair differs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import type { HttpConfig, HttpServerConfig, LocationConfig, NginxConfig } from "../../config/types.js";
import type { FileOverlay } from "../../engine/media-sink.js";
import { OnairError } from "../../util/errors.js";
import type { Logger } from "../../util/logger.js";
import { type AccessLogSink, formatCombined } from "./access-log-line.js";
import { FastConnection, type FastPathHost, type FastRoute } from "./fast-path.js";
import { FileSource } from "./file-source.js";
import { type PlannedSocket, pickServer, planSockets, validHost } from "./listen-plan.js";
import { matchLocation } from "./location-match.js";
import { PlayerRoutes, type StreamSummary } from "./player-routes.js";
import { type Reply, sendStatus } from "./reply.js";
import { parseRequestTarget } from "./request-target.js";
import { contentTypeFor, mapUriToPath, StaticHandler } from "./static-handler.js";
import { REASONS, statusPage } from "./status-page.js";

export type { AccessLogSink } from "./access-log-line.js";
export type { StreamSummary } from "./player-routes.js";

/** Total bytes of request line + headers (nginx: 4 buffers of 8k). */
const MAX_HEADER_BYTES = 32 * 1024;

export interface HttpServerOptions {
  config: NginxConfig;
  log: Logger;
  accessLog: AccessLogSink | null;
  overlay: FileOverlay | null;
  streams: () => StreamSummary[];
  /** Serve in-memory files on raw sockets (fast-path.ts); default true. */
  fastPath?: boolean;
}

/** Files on disk up to this size are read and answered by the fast path. */
const FAST_DISK_MAX = 64 * 1024;

/** Routes resolved per listener, forgotten on reload and when this many pile up. */
const ROUTE_CACHE_MAX = 4096;

interface Listener {
  plan: PlannedSocket;
  server: Server;
  routes: Map<string, FastRoute | null>;
}

export class HttpServer {
  #config: NginxConfig;
  readonly #log: Logger;
  readonly #accessLog: AccessLogSink | null;
  readonly #files: FileSource;
  readonly #static: StaticHandler;
  readonly #routes: PlayerRoutes;
  readonly #listeners = new Map<string, Listener>();
  readonly #fastPath: boolean;
  readonly #fastConnections = new Set<FastConnection>();
  #fallbacks = new WeakMap<HttpServerConfig, LocationConfig>();
  #quitting = false;
  #fastServed = 0;

  constructor(opts: HttpServerOptions) {
    this.#config = opts.config;
    this.#log = opts.log;
    this.#accessLog = opts.accessLog;
    this.#files = new FileSource(opts.overlay);
    this.#fastPath = opts.fastPath ?? true;
    this.#static = new StaticHandler(this.#files, opts.log);
    this.#routes = new PlayerRoutes(opts.streams, opts.log);
  }

  /** Requests answered by the raw-socket fast path so far. */
  get fastServed(): number {
    return this.#fastServed;
  }

  /** Binds every listen address of the http block (nothing when there is none). */
  async start(): Promise<void> {
    await this.#apply(this.#config);
  }

  /** Switches to a new configuration; sockets on unchanged addresses stay open. */
  async reload(config: NginxConfig): Promise<void> {
    await this.#apply(config);
  }

  /** Stops accepting, lets running requests finish (up to `timeoutMs`), then closes everything. */
  async quit(timeoutMs: number): Promise<void> {
    this.#quitting = true;
    const servers = [...this.#listeners.values()].map((l) => l.server);
    this.#listeners.clear();
    const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    const closeIdle = () => {
      for (const s of servers) s.closeIdleConnections();
    };
    const tick = setInterval(closeIdle, 100);
    closeIdle();
    for (const c of this.#fastConnections) c.end();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => {
      timer = setTimeout(r, timeoutMs);
    });
    await Promise.race([closed, timeout]);
    clearInterval(tick);
    clearTimeout(timer);
    for (const s of servers) s.closeAllConnections();
    for (const c of this.#fastConnections) c.socket.destroy();
  }

  /** Closes every socket now. */
  stop(): void {
    this.#quitting = true;
    for (const { server } of this.#listeners.values()) {
      server.close();
      server.closeAllConnections();
    }
    this.#listeners.clear();
    for (const c of this.#fastConnections) c.socket.destroy();
  }

  async #apply(config: NginxConfig): Promise<void> {
    const plan = planSockets(config.http);
    const added: Listener[] = [];
    try {
      for (const [key, p] of plan) {
        if (!this.#listeners.has(key)) added.push(await this.#bind(p, config.http!));
      }
    } catch (err) {
      for (const l of added) l.server.close();
      throw err;
    }
    for (const [key, l] of this.#listeners) {
      if (plan.has(key)) continue;
      l.server.close();
      l.server.closeIdleConnections();
      this.#listeners.delete(key);
    }
    for (const l of added) this.#listeners.set(l.plan.key, l);
    for (const [key, l] of this.#listeners) {
      l.plan = plan.get(key)!;
      l.routes.clear();
      l.server.keepAliveTimeout = config.http!.keepaliveTimeout;
    }
    this.#config = config;
    this.#fallbacks = new WeakMap();
    this.#files.clear();
  }

  async #bind(plan: PlannedSocket, http: HttpConfig): Promise<Listener> {
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout: http.keepaliveTimeout });
    const listener: Listener = { plan, server, routes: new Map() };
    server.on("request", (req, res) => this.#onRequest(listener, req, res));
    this.#installFastPath(listener);
    server.on("clientError", (err, socket) => this.#onClientError(err as NodeJS.ErrnoException, socket));
    // CONNECT (no proxying here): 405 as nginx's static content does
    server.on("connect", (req: IncomingMessage, socket: Duplex) =>
      this.#rawReply(socket, 405, `${req.method} ${req.url} HTTP/${req.httpVersion}`),
    );
    const host = plan.address.host ?? "0.0.0.0";
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          new OnairError(
            "ONAIR_HTTP_LISTEN_FAILED",
            `bind() to ${plan.key} failed (${err.code ?? err.message})`,
            {
              address: plan.key,
            },
          ),
        ),
      );
      server.listen(plan.address.port, host, () => resolve());
    });
    server.on("error", (err) => this.#log.error(`http server ${plan.key}: ${String(err)}`));
    return listener;
  }

  /**
   * Puts the raw-socket fast path in front of node:http's own connection
   * handler, which gets every connection the fast path hands over.
   */
  #installFastPath(listener: Listener): void {
    const { server } = listener;
    const native = server.listeners("connection");
    if (!this.#fastPath || native.length !== 1) return;
    const nodeConnection = native[0] as (socket: Socket) => void;
    server.removeListener("connection", nodeConnection);
    const host = this.#fastHost(listener);
    const handOff = (socket: Socket, unread: Buffer) => {
      nodeConnection.call(server, socket);
      socket.emit("data", unread);
      socket.resume();
    };
    server.on("connection", (socket: Socket) => {
      const conn = new FastConnection(socket, host, (s, unread) => {
        this.#fastConnections.delete(conn);
        handOff(s, unread);
      });
      this.#fastConnections.add(conn);
      socket.once("close", () => this.#fastConnections.delete(conn));
    });
  }

  #fastHost(listener: Listener): FastPathHost {
    return {
      route: (socket, host, path) => this.#fastRoute(listener, socket, host, path),
      lookup: (route) => this.#files.readSmall(route.file, route.base, FAST_DISK_MAX),
      accessLog: this.#accessLog,
      keepAliveMs: () => this.#config.http?.keepaliveTimeout ?? 0,
      quitting: () => this.#quitting,
      served: () => {
        this.#fastServed++;
      },
    };
  }

  /** What the node:http path would serve for a plain path, when it may come from memory. */
  #fastRoute(listener: Listener, socket: Socket, host: string, path: string): FastRoute | null {
    const key = `${socket.localAddress}|${socket.localPort}|${host}|${path}`;
    const hit = listener.routes.get(key);
    if (hit !== undefined) return hit;
    const route = this.#resolveRoute(listener, socket, host, path);
    if (listener.routes.size >= ROUTE_CACHE_MAX) listener.routes.clear();
    listener.routes.set(key, route);
    return route;
  }

  #resolveRoute(listener: Listener, socket: Socket, host: string, path: string): FastRoute | null {
    const http = this.#config.http;
    if (!http || !validHost(host) || this.#routes.handles(path)) return null;
    const srv = pickServer(listener.plan.servers, socket.localAddress ?? "", socket.localPort ?? 0, host);
    if (!srv) return null;
    const loc = matchLocation(srv.locations, path) ?? this.#fallback(srv, http);
    const mapped = mapUriToPath(loc, path);
    if (!mapped) return null;
    const addHeaders = loc.addHeaders
      .filter((h) => h.value !== "")
      .map((h) => `${h.name}: ${h.value}\r\n`)
      .join("");
    return { file: mapped.file, base: mapped.base, contentType: contentTypeFor(loc, path), addHeaders };
  }

  #fallback(srv: HttpServerConfig, http: HttpConfig): LocationConfig {
    let loc = this.#fallbacks.get(srv);
    if (!loc) {
      loc = {
        path: "/",
        modifier: "",
        types: http.types,
        defaultType: http.defaultType,
        root: join(this.#config.prefix, "html"),
        alias: null,
        index: ["index.html"],
        addHeaders: [],
        pos: srv.pos,
      };
      this.#fallbacks.set(srv, loc);
    }
    return loc;
  }

  #onRequest(listener: Listener, req: IncomingMessage, res: ServerResponse): void {
    const http = this.#config.http;
    if (!http) {
      res.destroy(); // a request still in flight on a socket closed by a reload without http {}
      return;
    }
    const reply: Reply = {
      req,
      res,
      state: { status: 0, bodyBytes: 0 },
      noKeepAlive: this.#quitting || http.keepaliveTimeout === 0,
    };
    res.setHeader("Server", "onair");
    res.once("close", () => this.#logAccess(req, reply));
    const target = parseRequestTarget(req.url ?? "");
    const host = (target.ok ? target.host : null) ?? req.headers.host;
    if (!target.ok || (host !== undefined && !validHost(host))) {
      this.#log.info(`client sent invalid request: ${target.ok ? "bad Host" : target.reason}`);
      sendStatus(reply, target.ok ? 400 : target.status, null);
      return;
    }
    const socket = req.socket;
    const srv = pickServer(listener.plan.servers, socket.localAddress ?? "", socket.localPort ?? 0, host);
    if (!srv) {
      sendStatus(reply, 404, null);
      return;
    }
    const done = this.#routes.handles(target.path)
      ? this.#routes.serve(reply, target.path)
      : this.#static.serve({
          req,
          res,
          reply,
          uri: target.path,
          args: target.args,
          locations: srv.locations,
          fallback: this.#fallback(srv, http),
          authority: host ?? `${socket.localAddress}:${socket.localPort}`,
        });
    done.catch((err) => {
      this.#log.error(`request "${req.url}" failed: ${String(err)}`);
      if (!res.headersSent) sendStatus(reply, 500, null);
      else res.destroy();
    });
  }

  #logAccess(req: IncomingMessage, reply: Reply): void {
    if (!this.#accessLog) return;
    this.#accessLog.write(
      formatCombined({
        remoteAddr: req.socket.remoteAddress ?? "-",
        time: new Date(),
        request: `${req.method} ${req.url} HTTP/${req.httpVersion}`,
        status: reply.state.status || reply.res.statusCode,
        bodyBytesSent: reply.state.bodyBytes,
        referer: req.headers.referer,
        userAgent: req.headers["user-agent"],
      }),
    );
  }

  /** A request Node's parser refused: nginx's page, then close. */
  #onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    const code = err.code ?? "";
    const timeout = code === "ERR_HTTP_REQUEST_TIMEOUT" || code === "HPE_HEADERS_TIMEOUT";
    if (code === "ECONNRESET" || timeout || !socket.writable) {
      socket.destroy();
      return;
    }
    this.#log.info(`client sent invalid request (${code}) from ${(socket as Socket).remoteAddress}`);
    this.#rawReply(socket, code === "HPE_HEADER_OVERFLOW" ? 431 : 400, "");
  }

  /** An answer written on the socket itself (no request object), then close. */
  #rawReply(socket: Duplex, status: number, request: string): void {
    const page = statusPage(status);
    socket.end(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\nServer: onair\r\nDate: ${new Date().toUTCString()}\r\n` +
        `Content-Type: text/html\r\nContent-Length: ${page.length}\r\nConnection: close\r\n\r\n${page}`,
    );
    this.#accessLog?.write(
      formatCombined({
        remoteAddr: (socket as Socket).remoteAddress ?? "-",
        time: new Date(),
        request,
        status,
        bodyBytesSent: page.length,
      }),
    );
  }
}

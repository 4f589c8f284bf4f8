/**
 * The whole `onair` process for end-to-end suites and benches: a prefix in a
 * temp folder holding the guide's nginx.conf (adapted only in ports, paths and
 * the HLS durations), mime.types and the default page; `onair -p PREFIX -c
 * CONF` started from dist/ when it is newer than every source file, else
 * through tsx; stopped by PID. The same configuration text, with
 * `load_module`, runs Debian's nginx + libnginx-mod-rtmp for comparisons.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { NODE_FLAGS } from "../../src/cli/node-flags.js";
import { freePort, projectRoot, sleep, tempDir, waitFor } from "./env.js";

export const NGINX_RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

export interface GuideConfOptions {
  rtmpPort: number;
  httpPort: number;
  /** The folder `location /hls` has as root; hls_path is ROOT/hls. */
  wwwRoot: string;
  /** hls_fragment (the guide: 3s). */
  fragment?: string;
  /** hls_playlist_length (the guide: 60s). */
  playlistLength?: string;
  /** Extra directives inside `application live`. */
  appExtra?: string;
  /** For Debian's nginx: load_module, one process in the foreground, logs and pid in the prefix. */
  nginx?: { prefix: string };
}

/** The guide's nginx.conf (seed, section 4) with our ports, paths and HLS durations. */
export function guideConf(o: GuideConfOptions): string {
  const head = o.nginx
    ? `load_module ${NGINX_RTMP_MODULE};\nworker_processes 1;\ndaemon off;\nmaster_process off;\n` +
      `error_log ${o.nginx.prefix}/logs/error.log warn;\npid ${o.nginx.prefix}/logs/nginx.pid;\n`
    : "worker_processes auto;\n";
  return `${head}events {
    worker_connections 1024;
}

rtmp {
    server {
        listen 127.0.0.1:${o.rtmpPort};
        chunk_size 4096;

        application live {
            live on;
            record off;

            hls on;
            hls_path ${o.wwwRoot}/hls;
            hls_fragment ${o.fragment ?? "3s"};
            hls_playlist_length ${o.playlistLength ?? "60s"};
${o.appExtra ?? ""}        }
    }
}

http {
    include mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;

    server {
        listen 127.0.0.1:${o.httpPort};
        server_name localhost;

        location /hls {
            types {
                application/vnd.apple.mpegurl m3u8;
                video/mp2t ts;
            }
            root ${o.wwwRoot};
            add_header Cache-Control no-cache;
            add_header Access-Control-Allow-Origin *;
        }

        location / {
            root html;
            index index.html;
        }
    }
}
`;
}

/**
 * `node` arguments running the CLI as shipped (NODE_FLAGS, what `npm start` uses): dist/ when it is up to
 * date, else the sources through tsx.
 */
export function cliArgs(): string[] {
  const dist = join(projectRoot, "dist/cli/main.js");
  if (existsSync(dist) && newestSource(join(projectRoot, "src")) <= statSync(dist).mtimeMs)
    return [...NODE_FLAGS, dist];
  return [...NODE_FLAGS, "--import", "tsx", join(projectRoot, "src/cli/main.ts")];
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export interface OnairSetup {
  prefix: string;
  conf: string;
  /** Root of `location /hls`; the packager writes into WWW/hls. */
  www: string;
  hlsDir: string;
  rtmpPort: number;
  httpPort: number;
}

/** Writes PREFIX/conf/nginx.conf (+ mime.types) and PREFIX/html (the default page). */
export async function preparePrefix(
  prefix: string,
  o: Omit<GuideConfOptions, "rtmpPort" | "httpPort" | "wwwRoot" | "nginx"> = {},
): Promise<OnairSetup> {
  const s: OnairSetup = {
    prefix,
    conf: join(prefix, "conf", "nginx.conf"),
    www: join(prefix, "www"),
    hlsDir: join(prefix, "www", "hls"),
    rtmpPort: await freePort(),
    httpPort: await freePort(),
  };
  for (const d of ["conf", "logs", "html", "www/hls"]) mkdirSync(join(prefix, d), { recursive: true });
  copyFileSync(join(projectRoot, "conf", "mime.types"), join(prefix, "conf", "mime.types"));
  for (const f of ["index.html", "player.js"])
    copyFileSync(join(projectRoot, "html", f), join(prefix, "html", f));
  writeFileSync(s.conf, guideConf({ ...o, rtmpPort: s.rtmpPort, httpPort: s.httpPort, wwwRoot: s.www }));
  return s;
}

/** One running (or stopped) onair on a prepared prefix; restartable. */
export class OnairProcess {
  readonly setup: OnairSetup;
  child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #stderr = "";

  readonly #wrap: string[];

  /** `wrap`: a command onair runs under, which execs it (e.g. ["taskset", "-c", "1"]). */
  constructor(setup: OnairSetup, wrap: string[] = []) {
    this.setup = setup;
    this.#wrap = wrap;
  }

  get httpBase(): string {
    return `http://127.0.0.1:${this.setup.httpPort}`;
  }

  rtmpUrl(name: string): string {
    return `rtmp://127.0.0.1:${this.setup.rtmpPort}/live/${name}`;
  }

  stderr(): string {
    return this.#stderr;
  }

  /** Starts onair and resolves once both its HTTP and RTMP ports answer. */
  async start(timeoutMs = 20_000): Promise<void> {
    if (this.child) throw new Error("onair already running");
    const s = this.setup;
    const argv = [...this.#wrap, process.execPath, ...cliArgs(), "-p", s.prefix, "-c", s.conf];
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: projectRoot,
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    child.stderr?.on("data", (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-100_000);
    });
    this.#exited = new Promise((resolve) => {
      child.on("exit", () => resolve());
      child.on("error", () => resolve());
    });
    void this.#exited.then(() => {
      if (this.child === child) this.child = null;
    });
    await waitFor(
      async () => {
        if (this.child !== child) throw new Error(`onair exited: ${this.#stderr}`);
        const res = await fetch(`${this.httpBase}/onair/api/streams`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        return res.status === 200 && (await tcpOpen(s.rtmpPort));
      },
      timeoutMs,
      "onair to listen",
      50,
    );
  }

  /** Sends `signal` to onair's PID and waits for the exit (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const exited = this.#exited;
    signalPid(child.pid, signal);
    const t = await Promise.race([exited.then(() => "exited"), sleep(graceMs).then(() => "timeout")]);
    if (t === "timeout") {
      signalPid(child.pid, "SIGKILL");
      await exited;
    }
    this.child = null;
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port });
    sock.setTimeout(1000);
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
    sock.once("timeout", () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/** A started onair in the test's own temp prefix, killed (by PID) when the test ends. */
export async function startOnair(
  t: TestContext,
  o: Omit<GuideConfOptions, "rtmpPort" | "httpPort" | "wwwRoot" | "nginx"> = {},
): Promise<OnairProcess> {
  // after-hooks run in registration order: stop onair before its prefix is removed
  let onair: OnairProcess | null = null;
  t.after(() => onair?.stop("SIGKILL", 2000));
  onair = new OnairProcess(await preparePrefix(tempDir(t, "onair-e2e-"), o));
  await onair.start();
  return onair;
}

/**
 * HTTP requests per second, onair beside nginx, in the same run:
 *   node --import tsx bench/http-rps.ts [--duration 5] [--connections 50] [--rounds 3] [--no-access-log] [--node-args "FLAGS"]
 * Both servers read the same nginx.conf (the guide's http block, worker_processes 1,
 * access log on as nginx's default) from a temp prefix and serve the same files:
 * a live playlist (~1 KB) and a ~1 MB MPEG-TS segment. Each server is pinned
 * to CPU 0 with taskset, wrk (1 thread) to CPU 1; runs are one after the other.
 * onair runs twice: files read from disk, and files in its in-memory overlay
 * (how live HLS is served when onair packages the stream itself), each time
 * with the node options it ships with (NODE_FLAGS; `--node-args "FLAGS"`,
 * space-separated, instead of them).
 * The servers take turns for `--rounds` rounds and the median of each figure
 * is printed, so that load from elsewhere on the machine hits all alike. Beside
 * requests per second, the server's own CPU time per request (user + system of
 * its whole process tree, from /proc) is printed: that figure depends much less
 * on what else runs on the machine.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onairNodeArgs } from "./lib/as-shipped.js";
import { median, treeCpuSeconds } from "./lib/proc-stat.js";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const DURATION = arg("duration", 5);
const CONNECTIONS = arg("connections", 50);
const ROUNDS = arg("rounds", 3);
const ACCESS_LOG = !process.argv.includes("--no-access-log");
const NODE_ARGS = onairNodeArgs(process.argv);
const SERVER_CPU = "0";
const CLIENT_CPU = "1";
const root = new URL("../", import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

function confText(port: number, forNginx: boolean, tag: string): string {
  const nginxOnly = forNginx
    ? ["client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path"]
        .map((d) => `    ${d} tmp/${d};\n`)
        .join("")
    : "";
  return `worker_processes 1;
daemon off;
error_log logs/error-${tag}.log;
pid logs/${tag}.pid;
events { worker_connections 1024; }
http {
    include mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    access_log ${ACCESS_LOG ? `logs/access-${tag}.log` : "off"};
${nginxOnly}    server {
        listen 127.0.0.1:${port};
        server_name localhost;
        location /hls {
            types {
                application/vnd.apple.mpegurl m3u8;
                video/mp2t ts;
            }
            root www;
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

function makeFiles(prefix: string): void {
  for (const d of ["conf", "logs", "tmp", "html", "www/hls"]) mkdirSync(join(prefix, d), { recursive: true });
  copyFileSync(join(root, "conf", "mime.types"), join(prefix, "conf", "mime.types"));
  writeFileSync(join(prefix, "html", "index.html"), "<html>bench</html>\n");
  let pl = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:100\n";
  for (let i = 100; i < 120; i++) pl += `#EXTINF:3.000,\ntest-${i}.ts\n`;
  writeFileSync(join(prefix, "www", "hls", "test.m3u8"), pl);
  const seg = Buffer.alloc(188 * 5577);
  for (let i = 0; i < seg.length; i += 188) seg[i] = 0x47;
  writeFileSync(join(prefix, "www", "hls", "test-100.ts"), seg);
}

async function waitHttp(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

interface WrkResult {
  rps: number;
  mbps: number;
  p99ms: number;
  /** Server CPU time (user + system, whole process tree) per request, in µs. */
  cpuUs: number;
}

function toMs(v: string): number {
  const n = Number.parseFloat(v);
  return v.endsWith("us") ? n / 1000 : v.endsWith("ms") ? n : n * 1000;
}

function wrk(url: string, serverPid: number, seconds = DURATION): WrkResult {
  const cpu0 = treeCpuSeconds(serverPid);
  const out = execFileSync(
    "taskset",
    ["-c", CLIENT_CPU, "wrk", "-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", url],
    { encoding: "utf8" },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const t = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(out);
  const mbps = t ? Number(t[1]) * ({ KB: 1 / 1024, MB: 1, GB: 1024 }[t[2]!] ?? 0) : 0;
  const p99ms = toMs(/99%\s+(\S+)/.exec(out)?.[1] ?? "0");
  const cpu = treeCpuSeconds(serverPid) - cpu0;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  if (/Non-2xx/.test(out)) throw new Error(`errors from ${url}:\n${out}`);
  return { rps, mbps, p99ms, cpuUs: requests ? (cpu * 1e6) / requests : 0 };
}

interface Sample {
  playlist: WrkResult;
  segment: WrkResult;
}

async function run(label: string, start: () => ChildProcess, port: number): Promise<Sample> {
  const child = start();
  child.stderr?.on("data", (d) => process.stderr.write(`[${label}] ${d}`));
  try {
    const base = `http://127.0.0.1:${port}/hls`;
    await waitHttp(`${base}/test.m3u8`, 15000);
    const pid = child.pid!;
    wrk(`${base}/test.m3u8`, pid, 2); // warm-up (JIT, page cache)
    const playlist = wrk(`${base}/test.m3u8`, pid);
    const segment = wrk(`${base}/test-100.ts`, pid);
    process.stderr.write(`${label}: playlist ${playlist.rps} req/s, segment ${segment.rps} req/s\n`);
    return { playlist, segment };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

async function main() {
  const prefix = mkdtempSync(join(tmpdir(), "onair-bench-http-"));
  chmodSync(prefix, 0o755); // nginx's worker runs as nobody when started as root
  try {
    makeFiles(prefix);
    const servers: { label: string; conf: string; port: number; start: () => ChildProcess }[] = [];
    const nginxPort = await freePort();
    writeFileSync(join(prefix, "conf", "nginx.conf"), confText(nginxPort, true, "nginx"));
    servers.push({
      label: "nginx 1.22 (1 worker)",
      conf: "nginx.conf",
      port: nginxPort,
      start: () =>
        spawn("taskset", ["-c", SERVER_CPU, "nginx", "-p", `${prefix}/`, "-c", "conf/nginx.conf"], {
          stdio: ["ignore", "ignore", "pipe"],
        }),
    });
    for (const mode of ["disk", "memory"]) {
      const port = await freePort();
      const conf = join(prefix, "conf", `onair-${mode}.conf`);
      writeFileSync(conf, confText(port, false, `onair-${mode}`));
      const script = join(root, "bench/http-rps-server.ts");
      servers.push({
        label: `onair, files ${mode === "disk" ? "on disk" : "in memory (live HLS)"}`,
        conf,
        port,
        start: () =>
          spawn(
            "taskset",
            ["-c", SERVER_CPU, process.execPath, ...NODE_ARGS, "--import", "tsx", script, conf, prefix, mode],
            {
              stdio: ["ignore", "pipe", "pipe"],
              cwd: root,
            },
          ),
      });
    }
    const samples = new Map<string, Sample[]>(servers.map((s) => [s.label, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of servers) samples.get(s.label)!.push(await run(s.label, s.start, s.port));
    }
    console.log(
      `wrk -t1 -c${CONNECTIONS} -d${DURATION}s, server on CPU ${SERVER_CPU}, wrk on CPU ${CLIENT_CPU}, ` +
        `access log ${ACCESS_LOG ? "on" : "off"}, median of ${ROUNDS} rounds (${new Date().toISOString()})\n`,
    );
    const head = [
      "server",
      "playlist req/s",
      "playlist p99 ms",
      "playlist CPU µs/req",
      "1 MB segment req/s",
      "segment MB/s",
      "segment p99 ms",
      "segment CPU µs/req",
    ];
    console.log(`| ${head.join(" | ")} |`);
    console.log(`|${head.map(() => "---").join("|")}|`);
    for (const [label, xs] of samples) {
      const m = (f: (s: Sample) => number, digits = 0) => median(xs.map(f)).toFixed(digits);
      const row = [
        label,
        m((s) => s.playlist.rps),
        m((s) => s.playlist.p99ms, 1),
        m((s) => s.playlist.cpuUs),
        m((s) => s.segment.rps),
        m((s) => s.segment.mbps),
        m((s) => s.segment.p99ms, 1),
        m((s) => s.segment.cpuUs),
      ];
      console.log(`| ${row.join(" | ")} |`);
    }
  } finally {
    if (!process.env.KEEP) rmSync(prefix, { recursive: true, force: true });
  }
}

await main();

/**
 * Runs onair's HTTP server alone from an nginx.conf, for bench/http-rps.ts:
 *   node --import tsx bench/http-rps-server.ts CONF PREFIX disk|memory
 * `memory` puts every file under PREFIX/www/hls into a FileOverlay first, as
 * the HLS packager keeps live playlists and segments in memory. Prints
 * "ready" on stdout once listening; SIGTERM stops it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseNginxConfigText } from "../src/config/index.js";
import { makeEtag } from "../src/server/http/conditional.js";
import { HttpServer } from "../src/server/http/http-server.js";
import { AccessLog } from "../src/server/log/access-log.js";
import { consoleLogger } from "../src/util/logger.js";

const [conf, prefix, mode] = process.argv.slice(2);
if (!conf || !prefix) throw new Error("usage: http-rps-server.ts CONF PREFIX disk|memory");
const config = parseNginxConfigText(readFileSync(conf, "utf8"), conf, { prefix });
const overlay = new Map<string, { data: Buffer; mtimeMs: number; etag: string }>();
if (mode === "memory") {
  const dir = join(prefix, "www", "hls");
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    const st = statSync(file);
    overlay.set(file, { data: readFileSync(file), mtimeMs: st.mtimeMs, etag: makeEtag(st.mtimeMs, st.size) });
  }
}
const accessLog = config.http?.accessLog ? new AccessLog(config.http.accessLog.path) : null;
const server = new HttpServer({
  config,
  log: consoleLogger,
  accessLog,
  overlay: { get: (p) => overlay.get(p) },
  streams: () => [],
});
await server.start();
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  server.stop();
  process.exit(0);
});

/**
 * The onair side of bench/rtmp-fanout.ts: an RtmpServer alone in its process
 * (`node --import tsx bench/rtmp-fanout-server.ts PORT`), as the composition
 * root will run it, with logging at warn.
 */
import { RtmpServer } from "../src/server/rtmp/rtmp-server.js";
import { makeLogger } from "../src/util/logger.js";
import { rtmpConfig } from "../test/helpers/rtmp-client.js";

const port = Number(process.argv[2]);
const server = new RtmpServer({
  config: rtmpConfig(port),
  log: makeLogger((level, m) => process.stderr.write(`[${level}] ${m}\n`), "warn"),
  sinks: () => [],
  flushMs: process.env.ONAIR_FLUSH_MS ? Number(process.env.ONAIR_FLUSH_MS) : undefined,
});
await server.start();
process.stdout.write("ready\n");
// ONAIR_BENCH_MEMLOG=1: one line a second of process.memoryUsage() in KiB on stderr (to see what grows).
if (process.env.ONAIR_BENCH_MEMLOG) {
  setInterval(() => {
    const m = process.memoryUsage();
    const k = (v: number) => Math.round(v / 1024);
    process.stderr.write(
      `[mem] rss=${k(m.rss)} heapTotal=${k(m.heapTotal)} heapUsed=${k(m.heapUsed)} external=${k(m.external)} arrayBuffers=${k(m.arrayBuffers)}\n`,
    );
  }, 1000).unref();
}
process.on("SIGTERM", () => {
  server.stop();
  process.exit(0);
});

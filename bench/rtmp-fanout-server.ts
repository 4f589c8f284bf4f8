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
process.on("SIGTERM", () => {
  server.stop();
  process.exit(0);
});

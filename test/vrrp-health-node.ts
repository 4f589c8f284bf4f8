/**
 * Runs one onair VRRP node with health tracking and notify attached, for the
 * namespace tests: `node --import tsx test/vrrp-health-node.ts FILE`.
 * Logs keepalived-like lines to stderr with a timestamp, prints READY, and on
 * SIGTERM/SIGINT stops the daemon (priority 0, VIPs released, STOP notifies)
 * and exits 0.
 *
 * Until src/server/vrrp/daemon.ts calls attachTracking/attachNotify itself
 * (before it starts the instances), this runner attaches them after start and
 * replays the start-up INIT → BACKUP transition the notify hook missed. When
 * the daemon does attach them, this runner only starts the daemon.
 */
import { readFileSync } from "node:fs";
import { loadKeepalivedConfig } from "../src/cli/config-api.js";
import type { VrrpInstanceConfig } from "../src/config/types.js";
import { startVrrpDaemon } from "../src/server/vrrp/daemon.js";
import { attachNotify } from "../src/server/vrrp/notify/index.js";
import { attachTracking } from "../src/server/vrrp/tracker.js";
import { makeLogger } from "../src/util/logger.js";

const daemonAttachesHealth = readFileSync(
  new URL("../src/server/vrrp/daemon.ts", import.meta.url),
  "utf8",
).includes("attachNotify(");

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error("usage: vrrp-health-node.ts keepalived.conf");
  const config = loadKeepalivedConfig(file);
  const log = makeLogger(
    (level, msg) => process.stderr.write(`${new Date().toISOString()} [${level}] ${msg}\n`),
    "debug",
  );
  for (const w of config.warnings) log.warn(w);
  const daemon = await startVrrpDaemon(config, { log, configFile: file });
  let stopHealth = async () => {};
  if (!daemonAttachesHealth) {
    const notify = attachNotify(daemon, config, log);
    const tracking = attachTracking(daemon, config, log);
    const status = daemon.status() as { name: string; state: string; priority: number }[];
    for (const s of status) {
      const inst = config.instances.find((i) => i.name === s.name) as VrrpInstanceConfig;
      if (s.state !== "INIT")
        notify.onState({ instance: inst, from: "INIT", to: s.state, priority: s.priority, reason: "start" });
    }
    stopHealth = async () => {
      await tracking.stop();
    };
    const stopDaemon = daemon.stop.bind(daemon);
    daemon.stop = async () => {
      await stopHealth();
      await stopDaemon();
      await notify.stop();
    };
  }
  const stop = () => {
    daemon.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stderr.write(`READY ${process.pid}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});

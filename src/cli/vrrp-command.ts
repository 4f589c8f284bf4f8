/**
 * `onair vrrp [-f FILE] [-t] [-n] [-l] [-D]`: the VRRP daemon, keepalived's
 * way. `-t` prints the configuration's warnings and exits 0, or prints the
 * error and exits 1. Otherwise the daemon runs in the foreground, logging to
 * standard error: SIGTERM/SIGINT stop it (VIPs released), SIGHUP reloads.
 */
import type { KeepalivedConfig } from "../config/types.js";
import { healthConfigWarnings } from "../engine/vrrp/tracking-warning.js";
import { ErrorLog } from "../server/log/error-log.js";
import { SIGNAL_NUMBERS } from "../server/process/signals.js";
import { loadKeepalivedConfig } from "./config-api.js";
import { onairVersion, oneLine, sayRaw } from "./output.js";
import { parseVrrpArgs, VRRP_HELP, type VrrpArgs, VrrpArgsError } from "./vrrp-args.js";

interface VrrpDaemon {
  stop(): Promise<void>;
  reload?(cfg: KeepalivedConfig): Promise<void>;
}

interface DaemonModule {
  startVrrpDaemon(config: KeepalivedConfig, opts: { log: ErrorLog; configFile: string }): Promise<VrrpDaemon>;
}

function line(text: string): void {
  sayRaw(`${text}\n`);
}

export async function vrrpCommand(argv: readonly string[]): Promise<number> {
  let args: VrrpArgs;
  try {
    args = parseVrrpArgs(argv);
  } catch (err) {
    if (!(err instanceof VrrpArgsError)) throw err;
    line(`onair vrrp: ${err.message}`);
    sayRaw("Try 'onair vrrp -h' for more information.\n");
    return 1;
  }
  if (args.help) {
    sayRaw(VRRP_HELP);
    return 0;
  }
  if (args.version) {
    line(`onair vrrp (onair/${onairVersion()}), keepalived-compatible VRRP daemon`);
    return 0;
  }
  let config: KeepalivedConfig;
  try {
    config = loadKeepalivedConfig(args.configFile);
  } catch (err) {
    line(oneLine(err));
    return 1;
  }
  for (const w of config.warnings) line(w);
  for (const w of healthConfigWarnings(config)) line(w);
  if (args.test) return 0;
  return runDaemon(config, args);
}

async function runDaemon(config: KeepalivedConfig, args: VrrpArgs): Promise<number> {
  const log = new ErrorLog([{ path: "stderr", level: args.logDetail ? "debug" : "info" }]);
  let mod: DaemonModule;
  try {
    // Loaded only here, so the streaming command never loads the VRRP code.
    mod = await import("../server/vrrp/daemon.js");
  } catch (err) {
    const missing = (err as { code?: string }).code === "ERR_MODULE_NOT_FOUND";
    log.emerg(missing ? "the VRRP daemon is not part of this build" : oneLine(err));
    return 1;
  }
  let daemon: VrrpDaemon;
  try {
    daemon = await mod.startVrrpDaemon(config, { log, configFile: args.configFile });
  } catch (err) {
    log.emerg(oneLine(err));
    return 1;
  }
  return vrrpSignals(daemon, log, args.configFile);
}

function vrrpSignals(daemon: VrrpDaemon, log: ErrorLog, file: string): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const keepAlive = setInterval(() => {}, 1 << 30);
    const stop = (sig: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.notice(`signal ${SIGNAL_NUMBERS[sig]} (${sig}) received, stopping`);
      daemon
        .stop()
        .catch((err) => log.alert(`stop: ${oneLine(err)}`))
        .finally(() => {
          process.off("SIGTERM", stop);
          process.off("SIGINT", stop);
          process.off("SIGHUP", reload);
          clearInterval(keepAlive);
          resolve(0);
        });
    };
    const reload = () => {
      if (stopping) return;
      log.notice("signal 1 (SIGHUP) received, reloading");
      let cfg: KeepalivedConfig;
      try {
        cfg = loadKeepalivedConfig(file);
      } catch (err) {
        log.error(`${oneLine(err)}; the running configuration is kept`);
        return;
      }
      for (const w of cfg.warnings) log.warn(w);
      if (!daemon.reload) {
        log.warn("this VRRP daemon cannot reload; restart it to apply the new configuration");
        return;
      }
      daemon.reload(cfg).catch((err) => log.alert(`reload: ${oneLine(err)}`));
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    process.on("SIGHUP", reload);
    process.on("uncaughtException", (err) => log.alert(`uncaught exception: ${oneLine(err)}`));
    process.on("unhandledRejection", (err) => log.alert(`unhandled rejection: ${oneLine(err)}`));
  });
}

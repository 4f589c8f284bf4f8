/**
 * `onair` without -t/-s: runs the streaming server in the foreground as
 * nginx's master process would: error log opened, pid file written (refusing
 * if another onair holds it), services started, then signals drive it until
 * it exits. Every failure is one line on stderr and a non-zero exit code.
 */
import type { NginxConfig } from "../config/types.js";
import { ErrorLog, type ErrorLogTarget } from "../server/log/error-log.js";
import { removePidFile, writePidFile } from "../server/process/pid-file.js";
import { type ControlAction, SIGNAL_ACTIONS, SIGNAL_NUMBERS } from "../server/process/signals.js";
import { DEFAULT_QUIT_TIMEOUT_MS, StreamingServer } from "../server/streaming-server.js";
import { notifyDaemonReady } from "./daemonize.js";
import { onairVersion, oneLine, say } from "./output.js";

export interface RunOptions {
  config: NginxConfig;
  loadConfig: () => NginxConfig;
  /** -e: error log targets replacing the configuration's. */
  errorLogOverride: ErrorLogTarget[] | null;
  quitTimeoutMs?: number;
}

const HANDLED: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1"];

/** Default error log when the configuration names none (nginx: PREFIX/logs/error.log at `error`). */
export function errorLogTargets(config: NginxConfig, override: ErrorLogTarget[] | null): ErrorLogTarget[] {
  if (override) return override;
  if (config.errorLog.length > 0) return config.errorLog.map((e) => ({ path: e.path, level: e.level }));
  return [{ path: `${config.prefix.replace(/\/$/, "")}/logs/error.log`, level: "error" }];
}

export async function runServer(opts: RunOptions): Promise<number> {
  const { config } = opts;
  let log: ErrorLog;
  try {
    log = new ErrorLog(errorLogTargets(config, opts.errorLogOverride));
  } catch (err) {
    say(`[emerg] ${oneLine(err)}`);
    return 1;
  }
  const fail = (err: unknown): number => {
    const msg = oneLine(err);
    say(`[emerg] ${msg}`);
    log.logToFiles("emerg", msg);
    log.close();
    return 1;
  };
  try {
    writePidFile(config.pid);
  } catch (err) {
    return fail(err);
  }
  const server = new StreamingServer({
    config,
    log,
    loadConfig: opts.loadConfig,
    errorLogOverride: opts.errorLogOverride ? errorLogTargets(config, opts.errorLogOverride) : null,
  });
  try {
    await server.start();
  } catch (err) {
    removePidFile(config.pid);
    return fail(err);
  }
  log.notice(`onair/${onairVersion()} started (pid ${process.pid}), configuration file ${config.file}`);
  const done = controlLoop(server, log, config.pid, opts.quitTimeoutMs ?? DEFAULT_QUIT_TIMEOUT_MS);
  notifyDaemonReady();
  return done;
}

/** Waits for signals until the server has stopped; resolves with the exit code. */
function controlLoop(
  server: StreamingServer,
  log: ErrorLog,
  pidFile: string,
  quitMs: number,
): Promise<number> {
  return new Promise((resolve) => {
    let state: "running" | "quitting" | "stopping" = "running";
    let finished = false;
    // Signal handlers do not keep Node alive; this does, until the exit.
    const keepAlive = setInterval(() => {}, 1 << 30);
    const onError = (what: string) => (err: unknown) => log.alert(`${what}: ${oneLine(err)}`);
    const onException = onError("uncaught exception");
    const onRejection = onError("unhandled rejection");
    const finish = (work: Promise<void>) => {
      work.catch(onError("shutdown")).finally(() => {
        if (finished) return;
        finished = true;
        clearInterval(keepAlive);
        for (const s of HANDLED) process.off(s, onSignal);
        log.notice("exit");
        removePidFile(pidFile);
        log.close();
        resolve(0);
      });
    };
    const act = (action: ControlAction, prefix: string) => {
      if (action === "stop") {
        if (state === "stopping") return;
        state = "stopping";
        log.notice(`${prefix}, exiting`);
        finish(server.stop());
      } else if (action === "quit") {
        if (state !== "running") return;
        state = "quitting";
        log.notice(`${prefix}, shutting down`);
        finish(server.quit(quitMs));
      } else if (action === "reload") {
        if (state !== "running") return;
        log.notice(`${prefix}, reconfiguring`);
        server.reload().catch(onError("reload"));
      } else {
        log.notice(`${prefix}, reopening`);
        log.reopen();
        server.reopen();
        log.notice("logs reopened");
      }
    };
    const onSignal = (sig: NodeJS.Signals) => {
      const action = SIGNAL_ACTIONS[sig];
      if (action) act(action, `signal ${SIGNAL_NUMBERS[sig]} (${sig}) received`);
    };
    for (const s of HANDLED) process.on(s, onSignal);
    process.on("uncaughtException", onException);
    process.on("unhandledRejection", onRejection);
  });
}

/**
 * `onair [-?hvVtTq] [-s signal] [-p prefix] [-e filename] [-c filename] [-g directives]`:
 * the streaming server's command, behaving as nginx's does.
 */
import { isAbsolute, resolve } from "node:path";
import type { LogLevel, NginxConfig } from "../config/types.js";
import { STDERR_TARGET } from "../server/log/error-log.js";
import { PidFileError } from "../server/process/pid-file.js";
import { signalRunning } from "../server/process/signals.js";
import { LOG_LEVELS } from "../util/logger.js";
import { configFiles, defaultConfigPath, loadNginxConfig, projectPrefix } from "./config-api.js";
import { daemonize, isDaemonChild } from "./daemonize.js";
import { ArgsError, helpText, type NginxArgs, parseNginxArgs } from "./nginx-args.js";
import { onairVersion, oneLine, say, sayRaw } from "./output.js";
import { runServer } from "./run-server.js";

export async function nginxCommand(argv: readonly string[]): Promise<number> {
  let args: NginxArgs;
  try {
    args = parseNginxArgs(argv);
  } catch (err) {
    if (!(err instanceof ArgsError)) throw err;
    say(err.message);
    return 1;
  }
  const prefix = resolve(args.prefix ?? projectPrefix());
  const file = args.configFile === null ? defaultConfigPath() : resolve(args.configFile);
  if (args.version) {
    sayRaw(`onair version: onair/${onairVersion()}\n`);
    if (args.configureInfo) {
      sayRaw(
        `built with Node.js ${process.version}\nconfigure arguments: --prefix=${prefix} --conf-path=${file}\n`,
      );
    }
    if (args.help) sayRaw(`${helpText(`${projectPrefix()}/`, defaultConfigPath())}`);
    if (!args.test) return 0;
  }
  const load = (): NginxConfig =>
    loadNginxConfig(file, { prefix, extraDirectives: args.directives ?? undefined });
  if (args.test) return testConfig(file, load, args);
  if (args.signal) return sendSignal(load, args);
  let config: NginxConfig;
  try {
    config = load();
  } catch (err) {
    say(`[emerg] ${oneLine(err)}`);
    return 1;
  }
  if (config.daemon && !isDaemonChild()) return daemonize();
  const errorLogOverride =
    args.errorLog === null
      ? null
      : [{ path: errorLogPath(args.errorLog, prefix), level: lowestLevel(config) }];
  return runServer({ config, loadConfig: load, errorLogOverride });
}

function errorLogPath(value: string, prefix: string): string {
  if (value === STDERR_TARGET) return STDERR_TARGET;
  return isAbsolute(value) ? value : resolve(prefix, value);
}

/** The most verbose level the configuration's error_log lines ask for (nginx's default: error). */
function lowestLevel(config: NginxConfig): LogLevel {
  let best = LOG_LEVELS.indexOf("error");
  for (const e of config.errorLog) best = Math.min(best, LOG_LEVELS.indexOf(e.level));
  return LOG_LEVELS[best] ?? "error";
}

/** -t / -T: nginx's two lines, or the error and "test failed"; -T dumps every file read. */
function testConfig(file: string, load: () => NginxConfig, args: NginxArgs): number {
  let config: NginxConfig;
  try {
    config = load();
  } catch (err) {
    say(`[emerg] ${oneLine(err)}`);
    say(`configuration file ${file} test failed`);
    return 1;
  }
  if (!args.quiet) {
    say(`the configuration file ${config.file} syntax is ok`);
    say(`configuration file ${config.file} test is successful`);
  }
  if (args.dump) {
    for (const f of configFiles(config)) {
      process.stdout.write(
        `# configuration file ${f.path}:\n${f.text}${f.text.endsWith("\n") ? "" : "\n"}\n`,
      );
    }
  }
  return 0;
}

/** -s: signals the instance named by the pid file of the configuration. */
function sendSignal(load: () => NginxConfig, args: NginxArgs): number {
  let config: NginxConfig;
  try {
    config = load();
  } catch (err) {
    say(`[emerg] ${oneLine(err)}`);
    return 1;
  }
  try {
    signalRunning(config.pid, args.signal ?? "reload");
    return 0;
  } catch (err) {
    const level = err instanceof PidFileError ? err.level : "error";
    say(`[${level}] ${oneLine(err)}`);
    return 1;
  }
}

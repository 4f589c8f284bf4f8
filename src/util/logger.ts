/**
 * The logging interface every layer above protocol/ receives (injected).
 * Levels and their order are nginx's. The file-backed implementation lives in
 * server/log/; `consoleLogger` is for tests and tools.
 */
import type { LogLevel } from "../config/types.js";

export const LOG_LEVELS: readonly LogLevel[] = [
  "debug",
  "info",
  "notice",
  "warn",
  "error",
  "crit",
  "alert",
  "emerg",
];

export interface Logger {
  log(level: LogLevel, message: string): void;
  debug(message: string): void;
  info(message: string): void;
  notice(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  crit(message: string): void;
}

/** Builds a Logger from a single sink, dropping levels below `min`. */
export function makeLogger(sink: (level: LogLevel, message: string) => void, min: LogLevel = "info"): Logger {
  const minIdx = LOG_LEVELS.indexOf(min);
  const log = (level: LogLevel, message: string) => {
    if (LOG_LEVELS.indexOf(level) >= minIdx) sink(level, message);
  };
  return {
    log,
    debug: (m) => log("debug", m),
    info: (m) => log("info", m),
    notice: (m) => log("notice", m),
    warn: (m) => log("warn", m),
    error: (m) => log("error", m),
    crit: (m) => log("crit", m),
  };
}

/** A logger writing nginx-like lines to stderr (tests, tools). */
export const consoleLogger: Logger = makeLogger(
  (level, message) => process.stderr.write(`[${level}] ${message}\n`),
  (process.env.ONAIR_LOG_LEVEL as LogLevel | undefined) ?? "warn",
);

/** A logger that keeps lines in memory (tests assert on them). */
export function memoryLogger(min: LogLevel = "debug"): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    makeLogger((level, message) => lines.push(`[${level}] ${message}`), min),
    { lines },
  );
}

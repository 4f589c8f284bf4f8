import { OnairError } from "../util/errors.js";
import type { SourcePos } from "./types.js";

/** nginx's level for a config error; the CLI prints `onair: [emerg] <message>`. */
export const CONFIG_ERROR_LEVEL = "emerg" as const;

/** Position used for directives given on the command line (`-g`), as nginx prints them. */
export const COMMAND_LINE_FILE = "command line";

/**
 * A config file problem. `message` is exactly nginx's line without the
 * "nginx: [emerg] " prefix, e.g. `unknown directive "x" in /etc/onair.conf:3`.
 * `problem` is the same text without the position.
 */
export class ConfigError extends OnairError {
  readonly level = CONFIG_ERROR_LEVEL;
  readonly problem: string;
  readonly file: string | null;
  readonly line: number | null;

  constructor(problem: string, pos: SourcePos | null, code = "ONAIR_CONFIG_INVALID") {
    super(code, formatConfigMessage(problem, pos), { file: pos?.file ?? null, line: pos?.line ?? null });
    this.problem = problem;
    this.file = pos?.file ?? null;
    this.line = pos?.line ?? null;
  }
}

/** `PROBLEM in FILE:LINE` (or `PROBLEM in command line` for -g). */
export function formatConfigMessage(problem: string, pos: SourcePos | null): string {
  if (!pos) return problem;
  if (pos.file === COMMAND_LINE_FILE) return `${problem} in command line`;
  return `${problem} in ${pos.file}:${pos.line}`;
}

/** Formats a non-fatal finding the same way (used for keepalived warnings). */
export function formatConfigWarning(problem: string, pos: SourcePos): string {
  return formatConfigMessage(problem, pos);
}

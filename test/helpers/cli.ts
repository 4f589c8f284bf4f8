/**
 * Running the `onair` command as a user does: the compiled CLI (dist/) when it
 * is up to date, else the sources through tsx. One-shot runs (`-t`, `-s`)
 * wait for the exit; servers are started with `startProcess` (killed by PID
 * when the test ends) and awaited on their error log's "started" line.
 */

import type { SpawnOptions } from "node:child_process";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { TestContext } from "node:test";
import { type Proc, projectRoot, startProcess, waitFor } from "./env.js";
import { cliArgs } from "./onair-process.js";

/** Node arguments before the command's own: `node ...CLI -c file` runs `onair -c file`. */
export const CLI: readonly string[] = cliArgs();

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `onair ...args` to its end (killed after 30 s) from the project root. */
export function runOnair(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    cwd: projectRoot,
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `onair ...args` from the project root; killed by PID when the test ends. */
export function startOnair(t: TestContext, args: string[], opts: SpawnOptions = {}): Proc {
  return startProcess(t, process.execPath, [...CLI, ...args], { cwd: projectRoot, ...opts });
}

/** A log file's text, or "" while it does not exist. */
export function readLog(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

/** Waits for `started (pid N)` in the error log; if the process exited, the timeout error carries its stderr. */
export async function onairStarted(p: Proc, errorLog: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    () => {
      if (p.child.exitCode !== null || p.child.signalCode !== null)
        throw new Error(`onair exited: ${p.stderr()}`);
      return readLog(errorLog).includes(`started (pid ${p.child.pid})`);
    },
    timeoutMs,
    "onair to start",
  );
}

/**
 * `daemon on;`: the command starts a detached copy of itself (new session,
 * stdin and stdout closed) and returns once that copy reports it is serving,
 * or with its exit status if it failed to start. Until then the copy's
 * standard error is relayed (so its one-line error reaches the terminal);
 * afterwards it is closed, as nginx detaches from the terminal, so a caller
 * reading our output (`$(onair)`, a test) is never held by the daemon.
 * Off by default: onair runs in the foreground, as systemd and containers expect.
 */

import { spawn } from "node:child_process";
import { closeSync, writeSync } from "node:fs";
import type { Readable } from "node:stream";
import { withNodeFlags } from "./node-flags.js";
import { oneLine, say } from "./output.js";

/** Set in the detached copy's environment. */
export const DAEMON_CHILD_ENV = "ONAIR_DAEMON_CHILD";
/** The copy writes READY to this fd once started. */
const READY_FD = 3;
const READY = "ready\n";

export function isDaemonChild(): boolean {
  return process.env[DAEMON_CHILD_ENV] === "1";
}

/** Parent side: resolves with the exit status for the `onair` command. */
export function daemonize(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...withNodeFlags(process.execArgv), ...process.argv.slice(1)], {
      detached: true,
      stdio: ["ignore", "ignore", "pipe", "pipe"],
      env: { ...process.env, [DAEMON_CHILD_ENV]: "1" },
    });
    const ready = child.stdio[READY_FD] as Readable;
    const errors = child.stderr as Readable;
    errors.on("data", (d: Buffer) => process.stderr.write(d));
    errors.on("error", () => {});
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      ready.destroy();
      errors.destroy();
      child.unref();
      resolve(code);
    };
    let text = "";
    ready.on("data", (d: Buffer) => {
      text += d.toString();
      if (text.includes(READY)) finish(0);
    });
    ready.on("error", () => {});
    child.on("close", (code) => finish(code ?? 1));
    child.on("error", (err) => {
      say(`[emerg] ${oneLine(err)}`);
      finish(1);
    });
  });
}

/** Child side: tells the waiting parent that the server is up. */
export function notifyDaemonReady(): void {
  if (!isDaemonChild()) return;
  try {
    writeSync(READY_FD, READY);
    closeSync(READY_FD);
  } catch {
    /* the parent is gone; nothing to tell */
  }
}

/**
 * Shared helpers for end-to-end tests: free ports, private temp folders and
 * child processes that are always cleaned up (by PID), even when a test fails.
 */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

/**
 * The lowest port the kernel hands out on its own (`ip_local_port_range`):
 * the source port of every outgoing connection (ffmpeg, rtmpdump, fetch)
 * and every `listen(0)` comes from there.
 */
function ephemeralLow(): number {
  try {
    const low = Number.parseInt(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8"), 10);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

const FREE_PORT_LOW = 10_000;
const FREE_PORT_HIGH = Math.max(FREE_PORT_LOW + 1000, ephemeralLow());
/** Ports this process has handed out: never twice. */
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/**
 * A TCP port that was free a moment ago on 127.0.0.1, below the kernel's
 * ephemeral range. A port from `listen(0)` is ephemeral: between this call
 * and the server binding it, a client of a test running alongside could get
 * it as its source port (seen in CI: `bind() ... failed (98: Address already
 * in use)`). Below the range only another test's pick can take it, and the
 * picks are random over ~20,000 ports.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FREE_PORT_LOW + Math.floor(Math.random() * (FREE_PORT_HIGH - FREE_PORT_LOW));
    if (handedOut.has(port)) continue;
    handedOut.add(port); // before the check: a concurrent call must not pick it meanwhile
    if (await bindable(port)) return port;
    handedOut.delete(port);
  }
  throw new Error(`no free TCP port found in ${FREE_PORT_LOW}-${FREE_PORT_HIGH - 1} on 127.0.0.1`);
}

const cleanups = new WeakMap<TestContext, (() => unknown)[]>();

/**
 * Runs `fn` when the test ends, after the cleanups registered later through
 * this function (last in, first out: a process started in a temp folder is
 * stopped before the folder goes). node:test runs `t.after` hooks in
 * registration order, which would remove the folder first.
 */
export function onCleanup(t: TestContext, fn: () => unknown): void {
  let stack = cleanups.get(t);
  if (!stack) {
    const fresh: (() => unknown)[] = [];
    stack = fresh;
    cleanups.set(t, fresh);
    t.after(async () => {
      while (fresh.length > 0) {
        try {
          await fresh.pop()!();
        } catch {
          /* one failed cleanup must not skip the others */
        }
      }
    });
  }
  stack.push(fn);
}

/** A fresh temp folder removed when the test ends. */
export function tempDir(t: TestContext, prefix = "onair-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(t, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or null if killed by a signal). */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

/** Spawns a process that is killed (by PID) when the test ends, if still alive. */
export function startProcess(t: TestContext, cmd: string, args: string[], opts: SpawnOptions = {}): Proc {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.length > 4_000_000) out = out.slice(-2_000_000);
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
    if (err.length > 4_000_000) err = err.slice(-2_000_000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => resolve(code));
    child.on("error", () => resolve(-1));
  });
  const kill = (signal: NodeJS.Signals = "SIGKILL") => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(child.pid, signal);
      } catch {
        /* already gone */
      }
    }
  };
  onCleanup(t, async () => {
    kill("SIGKILL");
    await Promise.race([exited, sleep(2000)]);
  });
  return { child, stdout: () => out, stderr: () => err, exited, kill };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  what = "condition",
  stepMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      lastErr = e;
    }
    await sleep(stepMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ""}`,
  );
}

/** Root of the project (where package.json is). */
export const projectRoot = new URL("../../", import.meta.url).pathname;

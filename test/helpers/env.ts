/**
 * Shared helpers for end-to-end tests: free ports, private temp folders and
 * child processes that are always cleaned up (by PID), even when a test fails.
 */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
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

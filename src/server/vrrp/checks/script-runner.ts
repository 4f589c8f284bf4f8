/**
 * Runs one command line as keepalived's system_call_script(): argv split as
 * keepalived splits it, executed directly (no shell; a file without `#!` runs
 * under /bin/sh like execvp), in its own process group, as the script user
 * (uid/gid switch, supplementary groups cleared), with stdin/stdout/stderr on
 * /dev/null, cwd "/", and IFS / LD_PRELOAD / LD_LIBRARY_PATH removed from the
 * environment. At the timeout the whole process group gets SIGKILL and the run
 * counts as a failure.
 */
import { spawn } from "node:child_process";
import { needsShell, shellQuote } from "./command-line.js";
import type { ScriptIdentity } from "./script-user.js";

export interface ScriptRunOptions {
  argv: readonly string[];
  identity: ScriptIdentity;
  /** ms; 0 or less = no timeout. */
  timeoutMs: number;
  /** Extra environment variables (added to ours). */
  env?: Record<string, string>;
}

export interface ScriptRunResult {
  ok: boolean;
  /** Exit status, or null when killed by a signal or not started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** spawn error (ENOENT, EACCES…), or null. */
  error: string | null;
  durationMs: number;
  /** "exit status 1", "timed out after 2000 ms (process group killed)", "cannot run: ENOENT". */
  detail: string;
}

export interface RunningScript {
  pid: number | undefined;
  result: Promise<ScriptRunResult>;
  /** SIGKILLs the process group now (used on shutdown). */
  kill(): void;
}

const SCRUBBED_ENV = ["IFS", "LD_PRELOAD", "LD_LIBRARY_PATH"];

function scriptEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of SCRUBBED_ENV) delete env[k];
  return env;
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

export function runScript(opts: ScriptRunOptions): RunningScript {
  const started = performance.now();
  const [file, args] = needsShell(opts.argv)
    ? ["/bin/sh", ["-c", shellQuote(opts.argv)]]
    : [opts.argv[0]!, opts.argv.slice(1)];
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(file, args, {
      stdio: "ignore",
      detached: true, // own session and process group, so a timeout kills the script's children too
      cwd: "/",
      env: scriptEnv(opts.env),
      ...(opts.identity.uid !== null ? { uid: opts.identity.uid } : {}),
      ...(opts.identity.gid !== null ? { gid: opts.identity.gid } : {}),
    });
  } catch (e) {
    const error = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const detail = `cannot run ${opts.argv[0]}: ${error}`;
    const r: ScriptRunResult = {
      ok: false,
      code: null,
      signal: null,
      timedOut: false,
      error,
      durationMs: 0,
      detail,
    };
    return { pid: undefined, result: Promise.resolve(r), kill: () => {} };
  }
  const pid = child.pid;
  let timedOut = false;
  let timer: NodeJS.Timeout | null = null;
  const result = new Promise<ScriptRunResult>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null, error: string | null) => {
      if (timer) clearTimeout(timer);
      const durationMs = Math.round(performance.now() - started);
      let detail: string;
      if (timedOut) detail = `timed out after ${opts.timeoutMs} ms (process group killed)`;
      else if (error) detail = `cannot run ${opts.argv[0]}: ${error}`;
      else if (signal) detail = `killed by ${signal}`;
      else detail = `exit status ${code}`;
      resolve({ ok: !timedOut && !error && code === 0, code, signal, timedOut, error, durationMs, detail });
    };
    child.once("error", (e: NodeJS.ErrnoException) => done(null, null, e.code ?? e.message));
    child.once("exit", (code, signal) => {
      // The leader is gone; anything it left running in its group goes with it on timeout only
      // (keepalived leaves well-behaved background children alone too).
      done(code, signal, null);
    });
  });
  if (opts.timeoutMs > 0 && pid) {
    timer = setTimeout(() => {
      timedOut = true;
      killGroup(pid);
    }, opts.timeoutMs);
    timer.unref();
  }
  return { pid, result, kill: () => killGroup(pid) };
}

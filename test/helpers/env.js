/**
 * Shared helpers for end-to-end tests: free ports, private temp folders and
 * child processes that are always cleaned up (by PID), even when a test fails.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort() {
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
/** A fresh temp folder removed when the test ends. */
export function tempDir(t, prefix = "onair-test-") {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
}
/** Spawns a process that is killed (by PID) when the test ends, if still alive. */
export function startProcess(t, cmd, args, opts = {}) {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
    let out = "";
    let err = "";
    child.stdout?.on("data", (d) => {
        out += d.toString();
        if (out.length > 4_000_000)
            out = out.slice(-2_000_000);
    });
    child.stderr?.on("data", (d) => {
        err += d.toString();
        if (err.length > 4_000_000)
            err = err.slice(-2_000_000);
    });
    const exited = new Promise((resolve) => {
        child.on("exit", (code) => resolve(code));
        child.on("error", () => resolve(-1));
    });
    const kill = (signal = "SIGKILL") => {
        if (child.exitCode === null && child.signalCode === null && child.pid) {
            try {
                process.kill(child.pid, signal);
            }
            catch {
                /* already gone */
            }
        }
    };
    t.after(async () => {
        kill("SIGKILL");
        await Promise.race([exited, sleep(2000)]);
    });
    return { child, stdout: () => out, stderr: () => err, exited, kill };
}
export function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}
/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(check, timeoutMs, what = "condition", stepMs = 50) {
    const deadline = Date.now() + timeoutMs;
    let lastErr;
    while (Date.now() < deadline) {
        try {
            const v = await check();
            if (v)
                return v;
        }
        catch (e) {
            lastErr = e;
        }
        await sleep(stepMs);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ""}`);
}
/** Root of the project (where package.json is). */
export const projectRoot = new URL("../../", import.meta.url).pathname;
//# sourceMappingURL=env.js.map
/**
 * The health-check runners against real processes and a real HTTP server:
 * exit codes, arguments, a hung script killed with its process group at the
 * timeout, script_user, and the built-in HTTP check.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { splitCommandLine } from "../src/server/vrrp/checks/command-line.js";
import { runHttpCheck } from "../src/server/vrrp/checks/http-check.js";
import { makeHealthCheck } from "../src/server/vrrp/checks/index.js";
import { runScript } from "../src/server/vrrp/checks/script-runner.js";
import { resolveScriptUser } from "../src/server/vrrp/checks/script-user.js";
import { freePort, sleep, tempDir, waitFor } from "./helpers/env.js";
import { makeGlobalDefs, makeScript } from "./vrrp-health-fixtures.js";

const self = { uid: null, gid: null, label: "self" };

function script(dir: string, name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("exit status 0 is success, anything else a failure", async (t) => {
  const dir = tempDir(t);
  const ok = await runScript({ argv: [script(dir, "ok.sh", "exit 0")], identity: self, timeoutMs: 5000 })
    .result;
  assert.equal(ok.ok, true);
  assert.equal(ok.detail, "exit status 0");
  const bad = await runScript({ argv: [script(dir, "bad.sh", "exit 3")], identity: self, timeoutMs: 5000 })
    .result;
  assert.equal(bad.ok, false);
  assert.equal(bad.code, 3);
  const missing = await runScript({ argv: [join(dir, "nope.sh")], identity: self, timeoutMs: 5000 }).result;
  assert.equal(missing.ok, false);
  assert.equal(missing.error, "ENOENT");
});

test("arguments are split as keepalived splits them and passed without a shell", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "args");
  const p = script(dir, "args.sh", `for a in "$@"; do printf '[%s]' "$a" >> "${out}"; done`);
  const argv = splitCommandLine(`${p} one 'two words' "\\$HOME" ;`);
  const r = await runScript({ argv, identity: self, timeoutMs: 5000 }).result;
  assert.equal(r.ok, true);
  assert.equal(readFileSync(out, "utf8"), "[one][two words][$HOME][;]");
});

test("a script without #! runs under /bin/sh, as execvp does", async (t) => {
  const dir = tempDir(t);
  const p = join(dir, "nosheb");
  writeFileSync(p, "exit 4\n");
  chmodSync(p, 0o755);
  const r = await runScript({ argv: [p], identity: self, timeoutMs: 5000 }).result;
  assert.equal(r.code, 4);
});

test("a hung script is killed with its whole process group at the timeout and fails", async (t) => {
  const dir = tempDir(t);
  const pidFile = join(dir, "bg.pid");
  const p = script(dir, "hang.sh", `sleep 30 & echo $! > "${pidFile}"; sleep 30`);
  const started = Date.now();
  // 1.5 s, not less: under a loaded CI machine the shell may take several
  // hundred ms to start and write the background child's pid
  const run = runScript({ argv: [p], identity: self, timeoutMs: 1500 });
  t.after(() => run.kill());
  const r = await run.result;
  const took = Date.now() - started;
  assert.equal(r.ok, false);
  assert.equal(r.timedOut, true);
  assert.match(r.detail, /timed out after 1500 ms/);
  assert.ok(took >= 1450 && took < 10_000, `took ${took} ms`);
  assert.ok(existsSync(pidFile), "the script started its background child before the timeout");
  const bg = Number(readFileSync(pidFile, "utf8"));
  await waitFor(() => !alive(bg), 2000, "background child killed");
});

test("script_user: the script runs as the configured user (nobody) when we are root", async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip("needs root");
    return;
  }
  const dir = tempDir(t);
  chmodSync(dir, 0o777);
  const out = join(dir, "id");
  const p = script(dir, "id.sh", `id -u > "${out}"; id -g >> "${out}"; id -G >> "${out}"`);
  const identity = resolveScriptUser({ user: "nobody", group: null });
  const r = await runScript({ argv: [p], identity, timeoutMs: 5000 }).result;
  assert.equal(r.ok, true, r.detail);
  const [uid, gid, groups] = readFileSync(out, "utf8").trim().split("\n");
  assert.equal(Number(uid), identity.uid);
  assert.equal(Number(gid), identity.gid);
  assert.equal(groups, String(identity.gid)); // supplementary groups cleared
  // through makeHealthCheck with global script_user and a per-script override
  const sc = makeScript("chk", { script: p, timeout: 5000 });
  const viaGlobal = makeHealthCheck(sc, makeGlobalDefs({ scriptUser: { user: "nobody", group: null } }));
  assert.match(viaGlobal.describe, /as nobody:/);
  assert.equal((await viaGlobal.run()).ok, true);
  const viaOwn = makeHealthCheck(
    { ...sc, user: { user: "root", group: null } },
    makeGlobalDefs({ scriptUser: { user: "nobody", group: null } }),
  );
  assert.match(viaOwn.describe, /as root:/);
  assert.throws(() => resolveScriptUser({ user: "no-such-user-onair", group: null }), /does not exist/);
});

async function httpServer(
  t: { after: (fn: () => unknown) => void },
  handler: Parameters<typeof createServer>[1],
) {
  const srv: Server = createServer(handler);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  t.after(() => {
    srv.closeAllConnections();
    srv.close();
  });
  const addr = srv.address();
  return `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
}

test("built-in HTTP check: expected status, other status, refused, timeout", async (t) => {
  const base = await httpServer(t, (req, res) => {
    if (req.url === "/ok") res.end("fine");
    else if (req.url === "/down") {
      res.statusCode = 503;
      res.end("no");
    } else if (req.url === "/nocontent") {
      res.statusCode = 204;
      res.end();
    }
    // "/hang": never answers
  });
  const ok = await runHttpCheck({ url: `${base}/ok`, status: 200, timeoutMs: 2000 });
  assert.equal(ok.ok, true);
  assert.equal(ok.status, 200);
  const down = await runHttpCheck({ url: `${base}/down`, status: 200, timeoutMs: 2000 });
  assert.equal(down.ok, false);
  assert.match(down.detail, /503, expected 200/);
  assert.equal((await runHttpCheck({ url: `${base}/nocontent`, status: 204, timeoutMs: 2000 })).ok, true);
  const t0 = Date.now();
  const hang = await runHttpCheck({ url: `${base}/hang`, status: 200, timeoutMs: 300 });
  assert.equal(hang.ok, false);
  assert.equal(hang.timedOut, true);
  assert.ok(Date.now() - t0 < 1500);
  // a port nobody listens on
  const port = await freePort();
  const refused = await runHttpCheck({ url: `http://127.0.0.1:${port}/`, status: 200, timeoutMs: 2000 });
  assert.equal(refused.ok, false);
  assert.match(refused.detail, /ECONNREFUSED/);
  // through makeHealthCheck
  const check = makeHealthCheck(
    makeScript("web", { script: null, httpCheck: { url: `${base}/ok`, status: 200, timeout: 1000 } }),
    makeGlobalDefs(),
  );
  assert.equal((await check.run()).ok, true);
});

test("kill() stops a running script check at once", async (t) => {
  const dir = tempDir(t);
  const p = script(dir, "long.sh", "sleep 30");
  const check = makeHealthCheck(makeScript("long", { script: p, timeout: 20000 }), makeGlobalDefs());
  const pending = check.run();
  await sleep(100);
  check.kill();
  const r = await pending;
  assert.equal(r.ok, false);
  assert.ok(!existsSync(join(dir, "never")));
});

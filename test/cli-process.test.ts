/**
 * The running `onair`: pid file, signals (SIGTERM, SIGINT, SIGQUIT, SIGHUP,
 * SIGUSR1) and `-s stop|quit|reload|reopen`, a second instance on the same
 * pid file or port, and the built-in default configuration. Each test has its
 * own prefix and free ports (the default-config test needs 1935 and 8080 and
 * is skipped when they are taken).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { runOnair as onair, onairStarted, readLog, startOnair } from "./helpers/cli.js";
import { freePort, type Proc, tempDir, waitFor } from "./helpers/env.js";

interface Instance {
  dir: string;
  conf: string;
  pid: string;
  errorLog: string;
  accessLog: string;
  rtmpPort: number;
  httpPort: number;
}

/** A configuration in its own folder, on free loopback ports, logging at info. */
async function makeInstance(t: TestContext, ports?: { rtmp: number; http: number }): Promise<Instance> {
  const dir = tempDir(t);
  const rtmpPort = ports?.rtmp ?? (await freePort());
  const httpPort = ports?.http ?? (await freePort());
  const inst: Instance = {
    dir,
    conf: join(dir, "onair.conf"),
    pid: join(dir, "logs", "onair.pid"),
    errorLog: join(dir, "logs", "error.log"),
    accessLog: join(dir, "logs", "access.log"),
    rtmpPort,
    httpPort,
  };
  writeConf(inst);
  return inst;
}

function writeConf(i: Instance, extra = ""): void {
  writeFileSync(
    i.conf,
    `error_log ${i.errorLog} info;\npid ${i.pid};\nevents { worker_connections 64; }\n` +
      `rtmp {\n  server {\n    listen 127.0.0.1:${i.rtmpPort};\n` +
      `    application live {\n      live on;\n      hls on;\n      hls_path ${join(i.dir, "hls")};\n    }\n  }\n}\n` +
      `http {\n  access_log ${i.accessLog};\n  server {\n    listen 127.0.0.1:${i.httpPort};\n` +
      `    location /hls { root ${i.dir}; }\n  }\n}\n${extra}`,
  );
}

function start(t: TestContext, i: Instance, ...args: string[]): Proc {
  return startOnair(t, ["-p", i.dir, "-c", i.conf, ...args]);
}

function logText(i: Instance): string {
  return readLog(i.errorLog);
}

function started(i: Instance, p: Proc): Promise<void> {
  return onairStarted(p, i.errorLog);
}

/** GET on the HTTP port; resolves with the status code. */
function httpGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function expectCleanExit(i: Instance, p: Proc, what: string): Promise<void> {
  const code = await p.exited;
  assert.equal(code, 0, `exit code after ${what}; stderr: ${p.stderr()}`);
  assert.equal(existsSync(i.pid), false, "pid file removed");
  assert.equal(p.stderr(), "", "nothing on stderr");
  assert.match(logText(i), /\[notice\] \d+#0: exit\n$/);
}

for (const sig of ["SIGTERM", "SIGINT"] as const) {
  test(`${sig} stops onair at once: exit 0, pid file removed`, async (t) => {
    const i = await makeInstance(t);
    const p = start(t, i);
    await started(i, p);
    assert.equal(readFileSync(i.pid, "utf8"), `${p.child.pid}\n`);
    assert.equal(await httpGet(i.httpPort, "/hls/none.m3u8"), 404);
    p.kill(sig);
    await expectCleanExit(i, p, sig);
    const num = sig === "SIGTERM" ? 15 : 2;
    assert.ok(logText(i).includes(`signal ${num} (${sig}) received, exiting`));
  });
}

test("-s reload reaches the process; an invalid config on reload is logged and the server keeps serving", async (t) => {
  const i = await makeInstance(t);
  const p = start(t, i);
  await started(i, p);
  let r = onair("-p", i.dir, "-c", i.conf, "-s", "reload");
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  await waitFor(() => logText(i).includes("configuration reloaded"), 10_000, "reload");
  assert.ok(logText(i).includes("signal 1 (SIGHUP) received, reconfiguring"));
  // break the file: -s refuses (it reads the config to find the pid file, as nginx)...
  writeConf(i, "bogus_directive on;\n");
  r = onair("-p", i.dir, "-c", i.conf, "-s", "reload");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^onair: \[emerg\] unknown directive "bogus_directive" in .*:\d+\n$/);
  // ...and a SIGHUP sent directly is refused by the running server, which keeps going
  p.kill("SIGHUP");
  await waitFor(() => logText(i).includes('unknown directive "bogus_directive"'), 10_000, "reload error");
  assert.match(logText(i), /\[emerg\] \d+#0: unknown directive "bogus_directive" in .*onair\.conf:\d+\n/);
  assert.ok(logText(i).includes("reload failed, the running configuration is kept"));
  assert.equal(await httpGet(i.httpPort, "/hls/x.m3u8"), 404);
  assert.equal(p.child.exitCode, null);
  writeConf(i);
  r = onair("-p", i.dir, "-c", i.conf, "-s", "stop");
  assert.equal(r.code, 0);
  await expectCleanExit(i, p, "-s stop");
  assert.ok(logText(i).includes("signal 15 (SIGTERM) received, exiting"));
});

test("-s reopen reopens the error and access logs (logrotate)", async (t) => {
  const i = await makeInstance(t);
  const p = start(t, i);
  await started(i, p);
  assert.equal(await httpGet(i.httpPort, "/hls/before.m3u8"), 404);
  await waitFor(() => existsSync(i.accessLog) && readFileSync(i.accessLog, "utf8").includes("before"), 5000);
  renameSync(i.errorLog, `${i.errorLog}.1`);
  renameSync(i.accessLog, `${i.accessLog}.1`);
  const r = onair("-p", i.dir, "-c", i.conf, "-s", "reopen");
  assert.equal(r.code, 0, r.stderr);
  await waitFor(() => logText(i).includes("logs reopened"), 10_000, "reopen");
  assert.ok(readFileSync(`${i.errorLog}.1`, "utf8").includes("signal 10 (SIGUSR1) received, reopening"));
  assert.equal(await httpGet(i.httpPort, "/hls/after.m3u8"), 404);
  await waitFor(() => existsSync(i.accessLog) && readFileSync(i.accessLog, "utf8").includes("after"), 5000);
  assert.equal(readFileSync(`${i.accessLog}.1`, "utf8").includes("after"), false);
  p.kill("SIGTERM");
  await expectCleanExit(i, p, "SIGTERM");
});

test("-s quit shuts down gracefully: exit 0, pid file removed", async (t) => {
  const i = await makeInstance(t);
  const p = start(t, i);
  await started(i, p);
  const r = onair("-p", i.dir, "-c", i.conf, "-s", "quit");
  assert.equal(r.code, 0, r.stderr);
  await expectCleanExit(i, p, "-s quit");
  assert.ok(logText(i).includes("signal 3 (SIGQUIT) received, shutting down"));
});

test("a second onair on the same pid file says so in one line and exits 1", async (t) => {
  const i = await makeInstance(t);
  const p = start(t, i);
  await started(i, p);
  const other = { ...(await makeInstance(t)), pid: i.pid };
  writeConf(other);
  const r = onair("-p", other.dir, "-c", other.conf);
  assert.equal(
    r.stderr,
    `onair: [emerg] another onair (pid ${p.child.pid}) is running with pid file ${i.pid}\n`,
  );
  assert.equal(r.code, 1);
  assert.equal(readFileSync(i.pid, "utf8"), `${p.child.pid}\n`, "the first one's pid file is untouched");
  p.kill("SIGTERM");
  await expectCleanExit(i, p, "SIGTERM");
});

test("a port already in use is one nginx line and exit 1, leaving no pid file", async (t) => {
  const rtmp = await freePort();
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(rtmp, "127.0.0.1", r));
  t.after(() => blocker.close());
  const i = await makeInstance(t, { rtmp, http: await freePort() });
  const r = onair("-p", i.dir, "-c", i.conf);
  assert.equal(r.stderr, `onair: [emerg] bind() to 127.0.0.1:${rtmp} failed (98: Address already in use)\n`);
  assert.equal(r.code, 1);
  assert.equal(existsSync(i.pid), false);
  assert.match(
    logText(i),
    /\[emerg\] \d+#0: bind\(\) to 127\.0\.0\.1:\d+ failed \(98: Address already in use\)\n$/,
  );
});

test("a stale pid file (dead process) does not prevent a start", async (t) => {
  const i = await makeInstance(t);
  mkdirSync(join(i.dir, "logs"), { recursive: true });
  writeFileSync(i.pid, "2147483646\n");
  const p = start(t, i);
  await started(i, p);
  assert.equal(readFileSync(i.pid, "utf8"), `${p.child.pid}\n`);
  p.kill("SIGINT");
  await expectCleanExit(i, p, "SIGINT");
});

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, () => s.close(() => resolve(true)));
  });
}

for (const sig of ["SIGTERM", "SIGINT"] as const) {
  test(`the built-in default configuration starts with a fresh prefix and stops on ${sig}`, async (t) => {
    if (!(await portFree(1935)) || !(await portFree(8080))) {
      t.skip("ports 1935/8080 are in use on this machine");
      return;
    }
    const dir = tempDir(t);
    const i: Instance = {
      dir,
      conf: "",
      pid: join(dir, "logs", "onair.pid"),
      errorLog: join(dir, "logs", "error.log"),
      accessLog: join(dir, "logs", "access.log"),
      rtmpPort: 1935,
      httpPort: 8080,
    };
    // no -c: conf/onair.conf; -g raises the log level so "started" is logged
    const p = startOnair(t, ["-p", dir, "-g", "error_log logs/error.log info;"]);
    await started(i, p);
    assert.ok(statSync(join(dir, "data", "hls")).isDirectory(), "data/hls created under the prefix");
    assert.equal(await httpGet(8080, "/hls/none.m3u8"), 404);
    p.kill(sig);
    await expectCleanExit(i, p, sig);
  });
}

test("daemon on: the command returns once the detached server is up; -s stop ends it", async (t) => {
  const i = await makeInstance(t);
  writeConf(i, "daemon on;\n");
  let daemonPid = 0;
  t.after(() => {
    if (daemonPid > 0) {
      try {
        process.kill(daemonPid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  });
  const r = onair("-p", i.dir, "-c", i.conf);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  daemonPid = Number(readFileSync(i.pid, "utf8"));
  assert.ok(daemonPid > 0);
  assert.ok(logText(i).includes(`started (pid ${daemonPid})`), "serving before the command returned");
  assert.equal(await httpGet(i.httpPort, "/hls/x.m3u8"), 404);
  // a second start reports the running one through the same single line
  const again = onair("-p", i.dir, "-c", i.conf);
  assert.equal(
    again.stderr,
    `onair: [emerg] another onair (pid ${daemonPid}) is running with pid file ${i.pid}\n`,
  );
  assert.equal(again.code, 1);
  assert.equal(onair("-p", i.dir, "-c", i.conf, "-s", "stop").code, 0);
  await waitFor(() => !existsSync(i.pid), 10_000, "the daemon to exit");
  assert.match(logText(i), /\[notice\] \d+#0: exit\n$/);
});

test("reload switches to a new access_log file", async (t) => {
  const i = await makeInstance(t);
  const p = start(t, i);
  await started(i, p);
  assert.equal(await httpGet(i.httpPort, "/hls/one.m3u8"), 404);
  const second = join(i.dir, "logs", "access2.log");
  writeFileSync(i.conf, readFileSync(i.conf, "utf8").replace(i.accessLog, second));
  p.kill("SIGHUP");
  await waitFor(() => logText(i).includes("configuration reloaded"), 10_000, "reload");
  assert.equal(await httpGet(i.httpPort, "/hls/two.m3u8"), 404);
  await waitFor(
    () => existsSync(second) && readFileSync(second, "utf8").includes("two.m3u8"),
    5000,
    "new log",
  );
  const first = readFileSync(i.accessLog, "utf8");
  assert.ok(first.includes("one.m3u8") && !first.includes("two.m3u8"));
  p.kill("SIGTERM");
  await expectCleanExit(i, p, "SIGTERM");
});

/**
 * `onair vrrp` as a process: started on the guide's master keepalived.conf
 * (interface and VIP rewritten to a veth pair inside a network namespace this
 * test creates and deletes), it takes the VIP, reloads on SIGHUP, and on
 * SIGTERM/SIGINT releases the VIP and exits 0. Needs root (namespaces).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { CLI, startOnair } from "./helpers/cli.js";
import { projectRoot, startProcess, tempDir, waitFor } from "./helpers/env.js";

const isRoot = process.getuid?.() === 0;

function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8" });
}

/** A namespace with a veth pair (va, vb) up, va holding 198.18.0.1/24; deleted when the test ends. */
function namespace(t: TestContext): string {
  const ns = `onair-cli-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  ip("netns", "add", ns);
  t.after(() => {
    try {
      ip("netns", "del", ns);
    } catch {
      /* already gone */
    }
  });
  ip("-n", ns, "link", "add", "va", "type", "veth", "peer", "name", "vb");
  for (const dev of ["lo", "va", "vb"]) ip("-n", ns, "link", "set", dev, "up");
  ip("-n", ns, "addr", "add", "198.18.0.1/24", "dev", "va");
  return ns;
}

function hasVip(ns: string): boolean {
  return ip("-n", ns, "-4", "addr", "show", "dev", "va").includes("198.18.0.100/24");
}

for (const sig of ["SIGTERM", "SIGINT"] as const) {
  test(`onair vrrp takes the VIP, reloads on SIGHUP, and on ${sig} releases it and exits 0`, async (t) => {
    if (!isRoot) {
      t.skip("needs root for network namespaces");
      return;
    }
    const ns = namespace(t);
    const conf = join(tempDir(t), "keepalived.conf");
    const guide = readFileSync(
      join(projectRoot, "test/fixtures/config/guide-keepalived-master.conf"),
      "utf8",
    );
    writeFileSync(conf, guide.replace("ens33", "va").replace("192.168.1.100/24", "198.18.0.100/24"));
    const p = startProcess(t, "ip", ["netns", "exec", ns, process.execPath, ...CLI, "vrrp", "-f", conf], {
      cwd: projectRoot,
    });
    // The VIP can appear a moment before the log line reaches our pipe: wait for both.
    await waitFor(
      () => hasVip(ns) && /Entering MASTER STATE/.test(p.stderr()),
      15_000,
      `the VIP and the MASTER log line; stderr: ${p.stderr()}`,
      100,
    );
    p.kill("SIGHUP");
    await waitFor(() => p.stderr().includes("signal 1 (SIGHUP) received, reloading"), 5000, "reload");
    p.kill(sig);
    const code = await p.exited;
    assert.equal(code, 0, p.stderr());
    assert.equal(hasVip(ns), false, "VIP released");
    assert.ok(p.stderr().includes(`(${sig}) received, stopping`));
    assert.doesNotMatch(p.stderr(), /\n\s+at /, "no stack trace");
  });
}

test("onair vrrp on a missing interface fails in one line, exit 1", async (t) => {
  const conf = join(tempDir(t), "keepalived.conf");
  const guide = readFileSync(join(projectRoot, "test/fixtures/config/guide-keepalived-master.conf"), "utf8");
  writeFileSync(conf, guide.replace("ens33", "nosuchif9"));
  const p = startOnair(t, ["vrrp", "-f", conf]);
  const code = await p.exited;
  assert.equal(code, 1);
  const lines = p.stderr().trimEnd().split("\n");
  // the auth_pass warning, then one [emerg] line
  assert.equal(lines.length, 2, p.stderr());
  assert.match(lines[1] ?? "", /\[emerg\] \d+#0: .*nosuchif9/);
});

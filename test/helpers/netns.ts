/**
 * Network namespaces for VRRP tests: a bridge in its own namespace, one
 * namespace per node joined to it by a veth pair created directly between the
 * two namespaces (nothing is ever attached to the root namespace), addresses
 * in 198.18.0.0/24. Names are unique per run (pid + random suffix) and every
 * namespace is deleted when the test ends, even on failure.
 */

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import { promisify } from "node:util";
import { type Proc, projectRoot, startProcess, waitFor } from "./env.js";

const run = promisify(execFile);

export interface LabNode {
  name: string;
  ns: string;
  /** Interface name inside the node's namespace. */
  ifname: string;
  /** The bridge port (in the bridge namespace) for this node: set it down to cut the link. */
  port: string;
  address: string;
  mac: string;
}

export interface Lab {
  id: string;
  bridgeNs: string;
  nodes: Map<string, LabNode>;
  node(name: string): LabNode;
}

export async function ip(...args: string[]): Promise<string> {
  const { stdout } = await run("ip", args, { maxBuffer: 4 << 20 });
  return stdout;
}

/** Runs a command inside a namespace and returns its stdout. */
export async function nsExec(ns: string, cmd: string, args: string[], timeoutMs = 20_000): Promise<string> {
  const { stdout } = await run("ip", ["netns", "exec", ns, cmd, ...args], {
    timeout: timeoutMs,
    maxBuffer: 16 << 20,
  });
  return stdout;
}

export function uniqueId(prefix = "oa"): string {
  return `${prefix}${process.pid}${randomBytes(2).toString("hex")}`;
}

/** Creates the lab; `nodes` get 198.18.0.<host>/24 on `eth0`. */
export async function createLab(t: TestContext, nodes: { name: string; host: number }[]): Promise<Lab> {
  const id = uniqueId();
  const bridgeNs = `${id}-br`;
  const made: string[] = [];
  t.after(async () => {
    for (const ns of made.reverse()) await ip("netns", "del", ns).catch(() => {});
  });
  await ip("netns", "add", bridgeNs);
  made.push(bridgeNs);
  await ip("-n", bridgeNs, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
  await ip("-n", bridgeNs, "link", "set", "br0", "up");
  const lab: Lab = {
    id,
    bridgeNs,
    nodes: new Map(),
    node(name) {
      const n = this.nodes.get(name);
      if (!n) throw new Error(`no lab node ${name}`);
      return n;
    },
  };
  for (const [i, spec] of nodes.entries()) {
    const ns = `${id}-${spec.name}`;
    await ip("netns", "add", ns);
    made.push(ns);
    const port = `p${i}`;
    await ip("-n", bridgeNs, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
    await ip("-n", bridgeNs, "link", "set", port, "master", "br0");
    await ip("-n", bridgeNs, "link", "set", port, "up");
    await ip("-n", ns, "link", "set", "lo", "up");
    await ip("-n", ns, "link", "set", "eth0", "up");
    const address = `198.18.0.${spec.host}`;
    await ip("-n", ns, "addr", "add", `${address}/24`, "dev", "eth0");
    const mac = (await nsExec(ns, "cat", ["/sys/class/net/eth0/address"])).trim();
    lab.nodes.set(spec.name, { name: spec.name, ns, ifname: "eth0", port, address, mac });
  }
  return lab;
}

/** true when `address` is configured on any interface of the namespace. */
export async function hasAddress(ns: string, address: string): Promise<boolean> {
  const out = await ip("-n", ns, "-j", "-4", "addr", "show");
  const links = JSON.parse(out || "[]") as { addr_info?: { local: string }[] }[];
  return links.some((l) => (l.addr_info ?? []).some((a) => a.local === address));
}

/** The MAC the namespace's neighbour table holds for `address`, or null. */
export async function neighMac(ns: string, address: string): Promise<string | null> {
  const out = await ip("-n", ns, "-j", "neigh", "show", address);
  const rows = JSON.parse(out || "[]") as { lladdr?: string; state?: string[] }[];
  const r = rows.find((x) => x.lladdr && !(x.state ?? []).includes("FAILED"));
  return r?.lladdr ?? null;
}

/** Sets a bridge port (or any link in a namespace) up or down. */
export async function setLink(ns: string, dev: string, up: boolean): Promise<void> {
  await ip("-n", ns, "link", "set", dev, up ? "up" : "down");
}

// ---------------------------------------------------------------- VRRP nodes

/** The guide's section B keepalived.conf (master or backup), with the lab's interface and VIP. */
export function guideConfig(
  role: "master" | "backup",
  opts: { iface?: string; vip?: string; extra?: string; global?: string; pass?: string | null } = {},
): string {
  const pass = opts.pass === undefined ? "mysecretpass" : opts.pass;
  const auth =
    pass === null
      ? ""
      : `    authentication {
        auth_type PASS            # Type d'authentification
        auth_pass ${pass}    # Mot de passe partagé (8 caractères max)
    }
`;
  const iface = opts.iface ?? "eth0";
  const vip = opts.vip ?? "198.18.0.100/24";
  const master = role === "master";
  return `${opts.global ? `global_defs {\n${opts.global}\n}\n\n` : ""}vrrp_instance VI_1 {
    state ${master ? "MASTER" : "BACKUP"}                  # ${master ? "Rôle initial : MASTER" : "Rôle initial : BACKUP"}
    interface ${iface}               # Interface réseau (à adapter)
    virtual_router_id 51          # ID du routeur virtuel (doit être identique sur tous les nœuds)
    priority ${master ? 150 : 100}                  # Priorité élevée = préférence pour être MASTER
    advert_int 1                  # Intervalle entre les annonces VRRP (en secondes)
${opts.extra ?? ""}
${auth}
    virtual_ipaddress {
        ${vip}          # VIP (choisir une IP libre du réseau)
    }
}
`;
}

/** Which nodes of the lab hold `address`. */
export async function holders(lab: Lab, address: string, names?: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const n of lab.nodes.values()) {
    if (names && !names.includes(n.name)) continue;
    if (await hasAddress(n.ns, address)) out.push(n.name);
  }
  return out;
}

/** Polls (every `stepMs`) until `node` holds `address`; returns the elapsed ms since `since` (performance.now()). */
export async function waitHolder(
  ns: string,
  address: string,
  since: number,
  timeoutMs: number,
  stepMs = 10,
): Promise<number> {
  for (;;) {
    if (await hasAddress(ns, address)) return performance.now() - since;
    if (performance.now() - since > timeoutMs)
      throw new Error(`${address} not on ${ns} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Starts keepalived (VRRP only, foreground, console log) in a namespace with its own pid files. */
export function keepalivedArgs(ns: string, conf: string, dir: string, tag: string): string[] {
  return [
    "netns",
    "exec",
    ns,
    "keepalived",
    "-n",
    "-l",
    "-D",
    "-P",
    "-f",
    conf,
    "-p",
    `${dir}/${tag}-keepalived.pid`,
    "-r",
    `${dir}/${tag}-vrrp.pid`,
  ];
}

export function startOnair(t: TestContext, ns: string, confPath: string): Proc {
  return startProcess(t, "ip", onairVrrpArgs(ns, confPath), {
    cwd: projectRoot,
  });
}

export async function webServer(t: TestContext, ns: string, body: string): Promise<void> {
  const code = `require("http").createServer((q,r)=>r.end(${JSON.stringify(body)})).listen(8080,"0.0.0.0",()=>console.log("up"))`;
  const p = startProcess(t, "ip", ["netns", "exec", ns, process.execPath, "-e", code]);
  await waitFor(() => p.stdout().includes("up"), 10_000, "web server");
}

export async function fetchVia(lab: Lab, VIP: string): Promise<string> {
  return nsExec(lab.node("client").ns, "curl", ["-s", "-m", "2", `http://${VIP}:8080/`]);
}

/** Exactly `name` holds the VIP among `live`, and the client's ARP entry names its MAC. */
export async function assertSoleHolder(
  lab: Lab,
  VIP: string,
  name: string,
  live: string[],
  first = false,
): Promise<void> {
  await waitFor(async () => (await holders(lab, VIP, live)).join() === name, 3000, `${name} as sole holder`);
  const mac = lab.node(name).mac;
  if (first) assert.equal(await fetchVia(lab, VIP), name);
  await waitFor(
    async () => (await neighMac(lab.node("client").ns, VIP)) === mac,
    2000,
    `client ARP → ${name}`,
  );
  assert.equal(await fetchVia(lab, VIP), name);
  assert.equal(await neighMac(lab.node("client").ns, VIP), mac);
}

/** `onair vrrp -f CONF -n -l -D` (the real CLI, from source) inside a namespace, as `ip` arguments. */
export function onairVrrpArgs(ns: string, conf: string): string[] {
  return [
    "netns",
    "exec",
    ns,
    process.execPath,
    "--import",
    "tsx",
    "src/cli/main.ts",
    "vrrp",
    "-f",
    conf,
    "-n",
    "-l",
    "-D",
  ];
}

/** The daemon has opened its sockets and started its instances. */
export function onairReady(p: Proc): boolean {
  return /instance\(s\) started/.test(p.stderr());
}

/**
 * Event-driven: resolves with performance.now() when `address` is added in the namespace
 * (`ip monitor address`), so a loaded machine does not add polling lag to a measured failover.
 * Start it before the action; the monitor process is stopped when the promise settles.
 */
export function addressAdded(ns: string, address: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn("ip", ["-n", ns, "monitor", "address"], { stdio: ["ignore", "pipe", "ignore"] });
    const done = (fn: () => void) => {
      clearTimeout(timer);
      p.kill("SIGKILL");
      fn();
    };
    const timer = setTimeout(
      () => done(() => reject(new Error(`${address} not added in ${ns} within ${timeoutMs} ms`))),
      timeoutMs,
    );
    p.stdout.on("data", (d: Buffer) => {
      const at = performance.now();
      if (
        d
          .toString()
          .split("\n")
          .some((l) => l.includes(`inet ${address}/`) && !l.startsWith("Deleted"))
      ) {
        done(() => resolve(at));
      }
    });
  });
}

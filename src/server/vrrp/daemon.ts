/**
 * `onair vrrp`'s daemon: configuration → instances → raw sockets, timers and
 * virtual addresses. Startup first removes any configured VIP left on an
 * interface (a crashed run), then opens the sockets (failing with one clear
 * line without CAP_NET_RAW), then starts every instance in BACKUP (or MASTER
 * for an address owner). `stop()` sends priority 0 from masters and removes
 * the VIPs. Health tracking (H8) drives `setTrackedPriority` / `setFault`.
 */
import { EventEmitter } from "node:events";
import type { KeepalivedConfig, VrrpInstanceConfig } from "../../config/types.js";
import { type Clock, systemClock } from "../../engine/clock.js";
import { parseIpv4 } from "../../protocol/ipv4/ipv4-address.js";
import { OnairError } from "../../util/errors.js";
import type { Logger } from "../../util/logger.js";
import { Counters } from "./counters.js";
import type { StateEvent } from "./instance-runtime.js";
import { InstanceRuntime, type RuntimeEnv } from "./instance-runtime.js";
import { delAddress, interfaceAddresses, interfaceMac } from "./iproute.js";
import { LinkWatch } from "./link-watch.js";
import { attachNotify, type NotifyHandle } from "./notify/index.js";
import { SocketPool } from "./socket-pool.js";
import { attachTracking, type TrackingHandle } from "./tracker.js";

export type { StateEvent } from "./instance-runtime.js";

export interface VrrpDaemon {
  /** Priority-0 advert from masters, VIPs removed, sockets closed. */
  stop(): Promise<void>;
  reload?(cfg: KeepalivedConfig): Promise<void>;
  /** The summed weight delta from tracking; effective priority = clamp(priority + delta, 1, 254). */
  setTrackedPriority(instance: string, delta: number): void;
  /** Non-null puts the instance in FAULT until cleared (then BACKUP). */
  setFault(instance: string, reason: string | null): void;
  on(event: "state", fn: (ev: StateEvent) => void): void;
  status(): unknown;
  counters(): Record<string, number>;
}

export interface VrrpDaemonOptions {
  log: Logger;
  configFile: string;
  /** Injected for tests; default the system clock. */
  clock?: Clock;
  /** Link state poll period in ms (default 100; 0 = off). */
  linkPollMs?: number;
}

/** Picks the source address: unicast_src_ip, else the interface's primary (non-VIP) IPv4 address. */
async function sourceAddress(cfg: VrrpInstanceConfig, vips: Set<string>): Promise<string> {
  if (cfg.unicastSrcIp) return cfg.unicastSrcIp;
  const addrs = await interfaceAddresses(cfg.interface);
  const primary =
    addrs.find((a) => !a.secondary && !vips.has(a.address)) ?? addrs.find((a) => !vips.has(a.address));
  if (!primary) {
    throw new OnairError(
      "ONAIR_VRRP_NO_ADDRESS",
      `onair vrrp: (${cfg.name}) no IPv4 address on ${cfg.interface}`,
      {
        instance: cfg.name,
        interface: cfg.interface,
      },
    );
  }
  return primary.address;
}

/** keepalived removes configured VIPs it finds at startup; so do we, before anything else. */
async function removeStaleVips(config: KeepalivedConfig, log: Logger): Promise<void> {
  for (const inst of config.instances) {
    for (const v of inst.virtualIpaddress) {
      const dev = v.dev ?? inst.interface;
      const present = await interfaceAddresses(dev).catch(() => []);
      if (!present.some((a) => a.address === v.address)) continue;
      log.notice(`(${inst.name}) removing stale VIP ${v.address}/${v.prefixLen} from ${dev}`);
      await delAddress(v.address, v.prefixLen, dev);
    }
  }
}

/** What onair vrrp does not do (yet): refused at startup with the instance named. */
function checkSupported(config: KeepalivedConfig): void {
  for (const inst of config.instances) {
    const fail = (what: string) => {
      throw new OnairError("ONAIR_VRRP_UNSUPPORTED", `onair vrrp: (${inst.name}) ${what}`, {
        instance: inst.name,
        file: inst.pos.file,
        line: inst.pos.line,
      });
    };
    if (inst.auth?.type === "AH") fail("auth_type AH is not supported (use PASS, or none)");
    for (const v of inst.virtualIpaddress) {
      if (parseIpv4(v.address) === null) fail(`only IPv4 virtual addresses are supported (${v.address})`);
    }
    if (inst.unicastSrcIp !== null && parseIpv4(inst.unicastSrcIp) === null)
      fail("unicast_src_ip must be IPv4");
    for (const p of inst.unicastPeer) if (parseIpv4(p) === null) fail(`unicast_peer ${p} must be IPv4`);
  }
}

/** The MAC of every device that carries an instance or a VIP (for gratuitous ARPs). */
async function deviceMacs(config: KeepalivedConfig): Promise<Map<string, string>> {
  const macs = new Map<string, string>();
  for (const inst of config.instances) {
    for (const v of [{ dev: inst.interface }, ...inst.virtualIpaddress]) {
      const dev = v.dev ?? inst.interface;
      if (!macs.has(dev)) macs.set(dev, await interfaceMac(dev).catch(() => ""));
    }
  }
  return macs;
}

/** Instance configs equal for reload purposes (where they were written does not matter). */
function sameInstance(a: VrrpInstanceConfig, b: VrrpInstanceConfig): boolean {
  return JSON.stringify({ ...a, pos: null }) === JSON.stringify({ ...b, pos: null });
}

class Daemon implements VrrpDaemon {
  readonly #runtimes: InstanceRuntime[] = [];
  readonly #events = new EventEmitter();
  readonly #env: RuntimeEnv;
  readonly #pool: SocketPool;
  readonly #links: LinkWatch;
  #stopped: Promise<void> | null = null;
  /** Health tracking and notify/mail (attached before the instances start, so notify sees INIT -> BACKUP). */
  health: { tracking: TrackingHandle; notify: NotifyHandle } | null = null;

  constructor(env: RuntimeEnv) {
    this.#env = env;
    this.#pool = new SocketPool(env.counters, env.log);
    this.#links = new LinkWatch(this.#runtimes);
  }

  /** Builds, attaches and starts instances (the sockets open here: lacking CAP_NET_RAW fails here). */
  async add(instances: VrrpInstanceConfig[], vips: Set<string>): Promise<void> {
    const fresh: InstanceRuntime[] = [];
    try {
      for (const inst of instances) {
        const rt = new InstanceRuntime(inst, await sourceAddress(inst, vips), this.#env);
        rt.onState = (ev) => this.#events.emit("state", ev);
        this.#pool.attach(rt);
        fresh.push(rt);
        this.#runtimes.push(rt);
      }
    } catch (err) {
      for (const rt of fresh) this.#detach(rt);
      throw err;
    }
    await this.#links.check();
    for (const rt of fresh) rt.driver.dispatch({ type: "start" });
  }

  #detach(rt: InstanceRuntime): void {
    rt.driver.dispose();
    this.#pool.detach(rt);
    const i = this.#runtimes.indexOf(rt);
    if (i >= 0) this.#runtimes.splice(i, 1);
  }

  async #shutdown(list: InstanceRuntime[]): Promise<void> {
    for (const rt of list) rt.driver.dispatch({ type: "shutdown" });
    await Promise.all(list.map((rt) => rt.idle()));
    for (const rt of list) this.#detach(rt);
  }

  startLinkWatch(periodMs: number): void {
    this.#links.start(periodMs);
  }

  #find(name: string): InstanceRuntime {
    const r = this.#runtimes.find((x) => x.cfg.name === name);
    if (r) return r;
    throw new OnairError("ONAIR_VRRP_NO_INSTANCE", `onair vrrp: no vrrp_instance ${name}`, {
      instance: name,
    });
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await this.health?.tracking.stop();
      this.#links.stop();
      await this.#shutdown([...this.#runtimes]);
      this.#pool.closeAll();
      await this.health?.notify.stop();
    })();
    return this.#stopped;
  }

  /**
   * keepalived's reload: an instance whose configuration is unchanged keeps running (state, VIPs);
   * a changed or removed one stops (priority 0 if master, VIPs removed); a changed or new one starts.
   */
  async reload(cfg: KeepalivedConfig): Promise<void> {
    if (this.#stopped) return;
    checkSupported(cfg);
    const kept = new Set<InstanceRuntime>();
    const added: VrrpInstanceConfig[] = [];
    for (const inst of cfg.instances) {
      const old = this.#runtimes.find((r) => r.cfg.name === inst.name);
      if (old && sameInstance(old.cfg, inst)) kept.add(old);
      else added.push(inst);
    }
    await this.#shutdown(this.#runtimes.filter((r) => !kept.has(r)));
    for (const [dev, mac] of await deviceMacs(cfg))
      if (!this.#env.macs.has(dev)) this.#env.macs.set(dev, mac);
    await this.add(added, new Set(cfg.instances.flatMap((i) => i.virtualIpaddress.map((v) => v.address))));
    this.#env.log.info(`onair vrrp: reloaded: ${kept.size} instance(s) kept, ${added.length} (re)started`);
  }

  setTrackedPriority(instance: string, delta: number): void {
    this.#find(instance).driver.dispatch({ type: "track", delta });
  }

  setFault(instance: string, reason: string | null): void {
    const rt = this.#find(instance);
    rt.externalFault = reason;
    rt.updateFault();
  }

  on(event: "state", fn: (ev: StateEvent) => void): void {
    this.#events.on(event, fn);
  }

  status(): unknown {
    return this.#runtimes.map((r) => r.describe());
  }

  counters(): Record<string, number> {
    return { ...this.#env.counters.snapshot(), ...this.health?.notify.counters() };
  }
}

export async function startVrrpDaemon(
  config: KeepalivedConfig,
  opts: VrrpDaemonOptions,
): Promise<VrrpDaemon> {
  const { log } = opts;
  checkSupported(config);
  await removeStaleVips(config, log);
  const env: RuntimeEnv = {
    log,
    clock: opts.clock ?? systemClock,
    counters: new Counters(),
    macs: await deviceMacs(config),
  };
  const daemon = new Daemon(env);
  // notify listens before the instances start (it sees INIT -> BACKUP, as keepalived's notify_backup);
  // tracking needs the instances, so it is attached right after.
  const notify = attachNotify(daemon, config, log);
  await daemon.add(
    config.instances,
    new Set(config.instances.flatMap((i) => i.virtualIpaddress.map((v) => v.address))),
  );
  daemon.health = { notify, tracking: attachTracking(daemon, config, log) };
  daemon.startLinkWatch(opts.linkPollMs ?? 100);
  log.info(`onair vrrp: ${config.instances.length} instance(s) started from ${opts.configFile}`);
  return daemon;
}

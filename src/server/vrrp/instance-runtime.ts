/**
 * One configured vrrp_instance at run time: its state machine driver, its
 * prebuilt advert, its receive expectation, and the I/O that performs the
 * engine's actions (advert now; VIP changes and ARPs in order on a queue so
 * ARPs follow the address change).
 */
import type { VirtualAddress, VrrpInstanceConfig } from "../../config/types.js";
import type { Clock } from "../../engine/clock.js";
import { InstanceDriver } from "../../engine/vrrp/instance-driver.js";
import type { VrrpAction } from "../../engine/vrrp/vrrp-instance.js";
import { buildGratuitousArp, parseMac } from "../../protocol/arp/gratuitous-arp.js";
import { formatIpv4, parseIpv4 } from "../../protocol/ipv4/ipv4-address.js";
import type { AdvertExpectation } from "../../protocol/vrrp/advert-check.js";
import { AdvertEncoder, authData } from "../../protocol/vrrp/advert-encoder.js";
import type { ReceivedAdvert } from "../../protocol/vrrp/advert-parser.js";
import { VRRP_AUTH_NONE, VRRP_AUTH_PASS, VRRP_MULTICAST_GROUP } from "../../protocol/vrrp/constants.js";
import type { Logger } from "../../util/logger.js";
import type { Counters } from "./counters.js";
import { addAddress, delAddress } from "./iproute.js";
import { nativeNet, type VrrpSocketHandle } from "./native-net.js";

export interface StateEvent {
  instance: VrrpInstanceConfig;
  from: string;
  to: string;
  priority: number;
  reason: string;
}

export interface RuntimeEnv {
  log: Logger;
  clock: Clock;
  counters: Counters;
  /** MAC per device that carries a VIP. */
  macs: Map<string, string>;
}

export class InstanceRuntime {
  readonly cfg: VrrpInstanceConfig;
  readonly src: string;
  readonly driver: InstanceDriver;
  readonly expectation: AdvertExpectation;
  socket: VrrpSocketHandle | null = null;
  linkFault: string | null = null;
  externalFault: string | null = null;
  /** Where transitions go (the daemon's "state" event). */
  onState: (ev: StateEvent) => void = () => {};
  readonly #env: RuntimeEnv;
  readonly #encoder: AdvertEncoder;
  readonly #srcNum: number;
  readonly #peers: string[];
  #queue: Promise<void> = Promise.resolve();

  constructor(cfg: VrrpInstanceConfig, src: string, env: RuntimeEnv) {
    this.cfg = cfg;
    this.src = src;
    this.#env = env;
    this.#srcNum = parseIpv4(src)!;
    this.#peers = cfg.unicastPeer;
    const addresses = cfg.virtualIpaddress.map((v) => parseIpv4(v.address)!);
    const pass = cfg.version === 2 && cfg.auth?.type === "PASS" ? cfg.auth.pass : null;
    this.#encoder = new AdvertEncoder(
      { version: cfg.version, vrid: cfg.virtualRouterId, addresses, adverInt: cfg.advertInt, authPass: pass },
      this.#srcNum,
      parseIpv4(VRRP_MULTICAST_GROUP)!,
    );
    this.expectation = {
      version: cfg.version,
      vrid: cfg.virtualRouterId,
      authType: pass === null ? VRRP_AUTH_NONE : VRRP_AUTH_PASS,
      authData: authData(pass),
      adverInt: cfg.advertInt,
      addresses,
      unicast: cfg.unicastPeer.length > 0,
    };
    this.driver = new InstanceDriver(
      {
        name: cfg.name,
        version: cfg.version,
        basePriority: cfg.priority,
        adverInt: cfg.advertInt,
        initialState: cfg.state,
        nopreempt: cfg.nopreempt,
        preemptDelay: cfg.preemptDelay,
        garpMasterDelay: cfg.garpMasterDelay,
        garpMasterRefresh: cfg.garpMasterRefresh,
        primaryAddress: this.#srcNum,
        higherPrioSendAdvert: cfg.higherPrioSendAdvert,
      },
      env.clock,
      (actions) => this.#perform(actions),
    );
  }

  onAdvert(a: ReceivedAdvert): void {
    this.#env.counters.inc("rx_adverts");
    if (a.priority === 0) {
      this.#env.counters.inc("rx_priority_zero");
      this.#env.log.info(`(${this.cfg.name}) received priority 0 advertisement from ${formatIpv4(a.src)}`);
    }
    this.driver.dispatch({ type: "advert", priority: a.priority, adverInt: a.adverInt, src: a.src });
  }

  /** Re-evaluates the combined fault (link monitor + H8's tracking). */
  updateFault(): void {
    this.driver.dispatch({ type: "fault", reason: this.linkFault ?? this.externalFault });
  }

  /** Resolves once every queued VIP/ARP action has run. */
  idle(): Promise<void> {
    return this.#queue;
  }

  #perform(actions: VrrpAction[]): void {
    const events: StateEvent[] = [];
    for (const a of actions) {
      if (a.type === "send-advert") this.#sendAdvert(a.priority);
      else if (a.type === "transition") events.push(this.#transition(a.from, a.to, a.reason, a.priority));
      else if (a.type === "add-vips") this.#enqueue(() => this.#vips(true));
      else if (a.type === "remove-vips") this.#enqueue(() => this.#vips(false));
      else {
        const n = a.kind === "refresh" ? this.cfg.garpMasterRefreshRepeat : this.cfg.garpMasterRepeat;
        this.#enqueue(async () => this.#garp(n));
      }
    }
    // Sinks (notify scripts, mail) hear of a transition once its VIP changes and ARPs are done, as keepalived.
    for (const ev of events) this.#enqueue(async () => this.onState(ev));
  }

  #enqueue(fn: () => Promise<void>): void {
    this.#queue = this.#queue.then(fn).catch((err) => {
      this.#env.counters.inc("action_errors");
      this.#env.log.error(`(${this.cfg.name}) ${String((err as Error).message ?? err).trim()}`);
    });
  }

  #sendAdvert(priority: number): void {
    if (!this.socket) return;
    const net = nativeNet();
    const dsts = this.#peers.length > 0 ? this.#peers : [VRRP_MULTICAST_GROUP];
    for (const dst of dsts) {
      if (this.#peers.length > 0 && this.cfg.version === 3)
        this.#encoder.setEndpoints(this.#srcNum, parseIpv4(dst)!);
      const n = net.vrrpSend(this.socket, this.#encoder.encode(priority), dst);
      if (n < 0) {
        this.#env.counters.inc("tx_errors");
        this.#env.log.debug(`(${this.cfg.name}) cannot send advert to ${dst}: errno ${-n}`);
      } else this.#env.counters.inc("tx_adverts");
    }
    if (priority === 0) this.#env.counters.inc("tx_priority_zero");
  }

  #transition(from: string, to: string, reason: string, priority: number): StateEvent {
    const c = this.#env.counters;
    c.inc("transitions");
    if (to === "MASTER") c.inc("become_master");
    if (from === "MASTER") c.inc("release_master");
    this.#env.log.info(`(${this.cfg.name}) Entering ${to} STATE (${reason})`);
    return { instance: this.cfg, from, to, priority, reason };
  }

  #dev(v: VirtualAddress): string {
    return v.dev ?? this.cfg.interface;
  }

  async #vips(add: boolean): Promise<void> {
    this.#env.log.info(`(${this.cfg.name}) ${add ? "setting" : "removing"} VIPs.`);
    const t0 = this.#env.clock.now();
    for (const v of this.cfg.virtualIpaddress) {
      if (add) await addAddress(v.address, v.prefixLen, this.#dev(v));
      else await delAddress(v.address, v.prefixLen, this.#dev(v));
    }
    this.#env.log.debug(
      `(${this.cfg.name}) VIPs ${add ? "set" : "removed"} in ${(this.#env.clock.now() - t0).toFixed(1)} ms`,
    );
  }

  #garp(repeat: number): void {
    if (this.driver.state.state !== "MASTER") return;
    const net = nativeNet();
    for (let i = 0; i < repeat; i++) {
      for (const v of this.cfg.virtualIpaddress) {
        const dev = this.#dev(v);
        const mac = this.#env.macs.get(dev);
        if (!mac) continue;
        try {
          net.sendFrame(dev, buildGratuitousArp(parseMac(mac), parseIpv4(v.address)!));
          this.#env.counters.inc("garp_sent");
        } catch (err) {
          this.#env.counters.inc("garp_errors");
          this.#env.log.debug(`(${this.cfg.name}) gratuitous ARP on ${dev}: ${(err as Error).message}`);
        }
      }
    }
  }

  describe(): Record<string, unknown> {
    const s = this.driver.state;
    return {
      name: this.cfg.name,
      state: s.state,
      interface: this.cfg.interface,
      vrid: this.cfg.virtualRouterId,
      basePriority: this.cfg.priority,
      priority: this.driver.priority,
      trackDelta: s.trackDelta,
      fault: s.fault,
      source: this.src,
      master: s.masterAddress === null ? null : formatIpv4(s.masterAddress),
      // Last peer heard (kept across states; a master hears no backup, so this is what it heard as BACKUP).
      peerPriority: s.peerPriority,
      peerAddress: s.peerAddress === null ? null : formatIpv4(s.peerAddress),
      vips: this.cfg.virtualIpaddress.map((v) => `${v.address}/${v.prefixLen}`),
    };
  }
}

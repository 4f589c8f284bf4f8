/**
 * One raw VRRP socket per (interface, source address, multicast|unicast),
 * shared by the instances that use it. Each datagram is parsed once, then
 * handed to the instances with its VRID after their own checks; every drop
 * is counted by reason (debug log, at most one line per reason per second).
 */

import { checkAdvert } from "../../protocol/vrrp/advert-check.js";
import { parseAdvert } from "../../protocol/vrrp/advert-parser.js";
import { VRRP_MULTICAST_GROUP } from "../../protocol/vrrp/constants.js";
import type { Logger } from "../../util/logger.js";
import type { Counters } from "./counters.js";
import type { InstanceRuntime } from "./instance-runtime.js";
import { nativeNet, openVrrpSocket, type VrrpSocketHandle } from "./native-net.js";

interface PoolEntry {
  handle: VrrpSocketHandle;
  instances: InstanceRuntime[];
}

export class SocketPool {
  readonly #entries = new Map<string, PoolEntry>();
  readonly #counters: Counters;
  readonly #log: Logger;
  readonly #lastLog = new Map<string, number>();

  constructor(counters: Counters, log: Logger) {
    this.#counters = counters;
    this.#log = log;
  }

  attach(rt: InstanceRuntime): void {
    const unicast = rt.cfg.unicastPeer.length > 0;
    const key = `${rt.cfg.interface}|${rt.src}|${unicast ? "unicast" : "multicast"}`;
    let e = this.#entries.get(key);
    if (!e) {
      const instances: InstanceRuntime[] = [];
      const handle = openVrrpSocket({
        ifname: rt.cfg.interface,
        src: rt.src,
        group: unicast ? undefined : VRRP_MULTICAST_GROUP,
        onPacket: (buf, len) => this.#receive(instances, buf, len),
      });
      e = { handle, instances };
      this.#entries.set(key, e);
    }
    e.instances.push(rt);
    rt.socket = e.handle;
  }

  #drop(reason: string, where: string): void {
    this.#counters.inc(`rx_drop_${reason}`);
    const now = Date.now();
    if ((this.#lastLog.get(reason) ?? 0) + 1000 > now) return;
    this.#lastLog.set(reason, now);
    this.#log.debug(`VRRP packet dropped on ${where}: ${reason}`);
  }

  #receive(instances: InstanceRuntime[], buf: Buffer, len: number): void {
    const where = instances[0]?.cfg.interface ?? "?";
    if (len > buf.length) {
      this.#drop("too_long", where);
      return;
    }
    const v = parseAdvert(buf);
    if (!v.ok) {
      this.#drop(v.reason, where);
      return;
    }
    let matched = false;
    for (const rt of instances) {
      if (rt.cfg.virtualRouterId !== v.advert.vrid) continue;
      matched = true;
      const reason = checkAdvert(v.advert, rt.expectation);
      if (reason) this.#drop(reason, `${where} (${rt.cfg.name})`);
      else rt.onAdvert(v.advert);
    }
    // Another VRID on the same link: ignored quietly (counted, not logged).
    if (!matched) this.#counters.inc("rx_drop_vrid");
  }

  /** Takes an instance off its socket; the socket closes with its last instance. */
  detach(rt: InstanceRuntime): void {
    for (const [key, e] of this.#entries) {
      const i = e.instances.indexOf(rt);
      if (i < 0) continue;
      e.instances.splice(i, 1);
      if (e.instances.length === 0) {
        nativeNet().vrrpClose(e.handle);
        this.#entries.delete(key);
      }
    }
    rt.socket = null;
  }

  closeAll(): void {
    for (const e of this.#entries.values()) nativeNet().vrrpClose(e.handle);
    this.#entries.clear();
  }
}

/**
 * Timer arithmetic of RFC 5798 §6.1 with keepalived's choices
 * (vrrp.h VRRP_TIMER_SKEW / VRRP_MS_DOWN_TIMER): v2 skew is
 * (256 − priority)/256 s whatever the interval (RFC 3768 §6.1); v3 scales it by
 * Master_Adver_Interval. Both use the effective priority. Times in ms.
 */

export function skewTime(version: 2 | 3, priority: number, masterAdverInt: number): number {
  return version === 3 ? ((256 - priority) * masterAdverInt) / 256 : ((256 - priority) * 1000) / 256;
}

/** RFC 5798 §6.1: Master_Down_Interval = 3 × Master_Adver_Interval + Skew_time. */
export function masterDownInterval(version: 2 | 3, priority: number, masterAdverInt: number): number {
  return 3 * masterAdverInt + skewTime(version, priority, masterAdverInt);
}

/** Effective priority: base + tracking delta clamped to 1..254; an address owner (255) never moves. */
export function effectivePriority(base: number, delta: number): number {
  if (base === 255) return 255;
  return Math.min(254, Math.max(1, base + delta));
}

/**
 * `flush_interval` (ours): publishers are read and players written once per
 * interval (default 200ms); 0 moves every message as it comes, as
 * nginx-rtmp does. A player sees its media in batches no later than one
 * interval (plus scheduling slack) after an unbatched one would, every frame
 * once and in order; a reload changes a non-zero interval at once and keeps
 * the old one, with a warning, for a switch to 0.
 */
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { DEFAULT_FLUSH_INTERVAL_MS } from "../src/config/types.js";
import { sleep } from "./helpers/env.js";
import { publishSynthetic, RawRtmpClient, startRtmpServer } from "./helpers/rtmp-client.js";
import { rtmpConfig } from "./helpers/rtmp-config.js";

const FPS = 50;
const STEP = 1000 / FPS;

interface Arrivals {
  /** Frame number → arrival time (ms, performance.now). */
  at: Map<number, number>;
  /** Socket reads that brought at least one video frame. */
  reads: number;
  order: number[];
}

/** A player that notes when each synthetic frame arrives (frame number in the body, see publishSynthetic). */
async function watch(port: number, name: string): Promise<{ client: RawRtmpClient; arrivals: Arrivals }> {
  const client = await RawRtmpClient.open(port);
  await client.start("live", name, "play");
  const arrivals: Arrivals = { at: new Map(), reads: 0, order: [] };
  let seen = client.messages.length;
  // Runs after the client's own listener has decoded this read.
  client.socket.on("data", () => {
    const now = performance.now();
    let frames = 0;
    for (; seen < client.messages.length; seen++) {
      const m = client.messages[seen]!;
      if (m.type !== 9 || m.payload.length < 9 || m.payload[1] !== 1) continue;
      const n = m.payload.readUInt32BE(5);
      arrivals.at.set(n, now);
      arrivals.order.push(n);
      frames++;
    }
    if (frames > 0) arrivals.reads++;
  });
  return { client, arrivals };
}

/**
 * How late each live frame came after the earliest-arriving one, on the
 * publisher's frame clock (ms, sorted). The first 500 ms are left out: the
 * joiner's GOP-cache burst brings past frames at once.
 */
function lateness(a: Arrivals): number[] {
  const t0 = Math.min(...a.at.values());
  const xs = [...a.at].filter(([, t]) => t >= t0 + 500).map(([n, t]) => t - n * STEP);
  const base = Math.min(...xs);
  return xs.map((x) => x - base).sort((p, q) => p - q);
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function run(t: TestContext, flushInterval: number): Promise<{ a: Arrivals; frames: number }> {
  const srv = await startRtmpServer(t, { flushInterval });
  const pub = await publishSynthetic(srv.port, "live", "s", { fps: FPS, frameBytes: 4000, seconds: 4 });
  t.after(() => pub.client.close());
  await sleep(300);
  const { client, arrivals } = await watch(srv.port, "s");
  t.after(() => client.close());
  const frames = await pub.done;
  await sleep(flushInterval + 300);
  return { a: arrivals, frames };
}

function checkOrder(a: Arrivals): void {
  assert.ok(a.order.length > 100, `frames arrived (${a.order.length})`);
  for (let i = 1; i < a.order.length; i++) {
    if (a.order[i - 1]! >= a.order[i]!) {
      // A joiner gets the GOP cache first: from there on, every frame once and in order.
      assert.equal(a.order[i], a.order[i - 1]! + 1, `frame ${a.order[i]} after ${a.order[i - 1]}`);
    }
  }
  const last = a.order.at(-1)!;
  const first = a.order[0]!;
  assert.equal(a.at.size, last - first + 1, "no frame missing");
}

test("flush_interval 0: every frame is written as it comes (one read per frame, no batching)", async (t) => {
  const { a } = await run(t, 0);
  checkOrder(a);
  const late = lateness(a);
  const live = a.order.length;
  t.diagnostic(
    `reads ${a.reads}, frames ${live}, lateness p50 ${pct(late, 0.5).toFixed(1)} p99 ${pct(late, 0.99).toFixed(1)} ms`,
  );
  assert.ok(a.reads > 0.6 * live, `reads ${a.reads} for ${live} frames`);
  assert.ok(pct(late, 0.9) < 40, `p90 lateness ${pct(late, 0.9).toFixed(1)} ms`);
});

test("default flush_interval: frames come in batches, none later than one interval (+ slack)", async (t) => {
  assert.equal(DEFAULT_FLUSH_INTERVAL_MS, 200);
  const { a } = await run(t, DEFAULT_FLUSH_INTERVAL_MS);
  checkOrder(a);
  const late = lateness(a);
  const live = a.order.length;
  t.diagnostic(
    `reads ${a.reads}, frames ${live}, lateness p50 ${pct(late, 0.5).toFixed(1)} p99 ${pct(late, 0.99).toFixed(1)} ms`,
  );
  assert.ok(a.reads < 0.35 * live, `reads ${a.reads} for ${live} frames: batched`);
  assert.ok(
    pct(late, 0.99) < DEFAULT_FLUSH_INTERVAL_MS + 80,
    `p99 lateness ${pct(late, 0.99).toFixed(1)} ms`,
  );
});

test("reload: a new non-zero flush_interval applies at once; a switch to 0 waits for a restart", async (t) => {
  const srv = await startRtmpServer(t, { flushInterval: 200 });
  const pub = await publishSynthetic(srv.port, "live", "s", { fps: FPS, frameBytes: 4000, seconds: 5 });
  t.after(() => pub.client.close());
  const { client, arrivals } = await watch(srv.port, "s");
  t.after(() => client.close());
  await sleep(1500);
  const r0 = arrivals.reads;
  await sleep(1000);
  const slow = arrivals.reads - r0;
  const cfg = rtmpConfig(srv.port);
  cfg.rtmp!.flushInterval = 20;
  await srv.server.reload(cfg);
  await sleep(200);
  const r1 = arrivals.reads;
  await sleep(1000);
  const fast = arrivals.reads - r1;
  t.diagnostic(`batches a second: ${slow} at 200ms, ${fast} at 20ms`);
  assert.ok(slow <= 7, `200ms: ${slow} batches a second`);
  assert.ok(fast >= 2 * slow + 5, `20ms: ${fast} batches a second (was ${slow})`);
  cfg.rtmp!.flushInterval = 0;
  await srv.server.reload(cfg);
  assert.ok(
    srv.log.lines.some((l) => /flush_interval 0ms applies at restart .*keeping 20ms/.test(l)),
    srv.log.lines.join("\n"),
  );
  await pub.done;
});

for (const interval of [DEFAULT_FLUSH_INTERVAL_MS, 1000]) {
  test(`a 20 Mbit/s publisher is read as fast as it sends with flush_interval ${interval}ms (paced reads do not throttle it)`, async (t) => {
    const srv = await startRtmpServer(t, { flushInterval: interval });
    const seconds = 4;
    const pub = await publishSynthetic(srv.port, "live", "big", { fps: FPS, frameBytes: 50_000, seconds });
    t.after(() => pub.client.close());
    const t0 = performance.now();
    const { client, arrivals } = await watch(srv.port, "big");
    t.after(() => client.close());
    const frames = await pub.done;
    await sleep(interval + 500);
    checkOrder(arrivals);
    const last = Math.max(...arrivals.at.keys());
    const lastAt = arrivals.at.get(last)! - t0;
    t.diagnostic(`${frames} frames of 50 kB; the last one played ${lastAt.toFixed(0)} ms after the start`);
    assert.equal(last, frames - 1, "the player got up to the last frame");
    // Throttled, the last frame would come late by the backlog (at half speed, 2 s).
    assert.ok(lastAt < seconds * 1000 + interval + 400, `the stream kept its pace (${lastAt.toFixed(0)} ms)`);
  });
}

import assert from "node:assert/strict";
import { test } from "node:test";
import { rtmpApp } from "../../../test/helpers/rtmp-config.js";
import type { RtmpApplicationConfig } from "../../config/types.js";
import type { RtmpMessage } from "../../protocol/rtmp/message.js";
import { memoryLogger } from "../../util/logger.js";
import { FakeClock } from "../clock.js";
import type { MediaSink } from "../media-sink.js";
import { AccessList } from "./access-rules.js";
import { splitAggregate } from "./data-message.js";
import { LiveEngine } from "./live-engine.js";
import type { PlayerOutput } from "./live-player.js";

/** The loader's defaults, but no continuous HLS and a 1 MiB GOP cache. */
function app(over: Partial<RtmpApplicationConfig> = {}): RtmpApplicationConfig {
  return rtmpApp("live", { hlsContinuous: false, gopCacheSize: 1 << 20, ...over });
}

/** A fake "encoding": 1 header byte (type) + 4-byte ts + payload, so tests can read back what was sent. */
let encodes = 0;
const encode = (m: RtmpMessage): Buffer => {
  encodes++;
  const b = Buffer.alloc(5 + m.payload.length);
  b[0] = m.type;
  b.writeUInt32BE(m.timestamp, 1);
  m.payload.copy(b, 5);
  return b;
};

class Out implements PlayerOutput {
  sent: Buffer[] = [];
  pendingBytes = 0;
  events: string[] = [];
  /** When false the "socket" never drains. */
  drains = true;
  write(buf: Buffer): void {
    this.sent.push(buf);
    if (!this.drains) this.pendingBytes += buf.length;
  }
  publishStarted(): void {
    this.events.push("start");
  }
  publishStopped(): void {
    this.events.push("stop");
  }
  kinds(): string[] {
    return this.sent.map((b) => `${b[0]}:${b[5]!.toString(16)}@${b.readUInt32BE(1)}`);
  }
}

const key = (n = 100) => Buffer.concat([Buffer.from([0x17, 1, 0, 0, 0]), Buffer.alloc(n)]);
const inter = (n = 100) => Buffer.concat([Buffer.from([0x27, 1, 0, 0, 0]), Buffer.alloc(n)]);
const avcHeader = Buffer.from([0x17, 0, 0, 0, 0, 1, 2, 3]);
const aacHeader = Buffer.from([0xaf, 0, 0x12, 0x10]);
const aac = (n = 50) => Buffer.concat([Buffer.from([0xaf, 1]), Buffer.alloc(n)]);

function setup() {
  const clock = new FakeClock();
  const log = memoryLogger();
  const engine = new LiveEngine({ clock, log, encode });
  const kicked: string[] = [];
  const client = { kick: (r: string) => kicked.push(r) };
  return { clock, log, engine, kicked, client };
}

/** A stream "s" publishing H.264 + AAC headers, then `frames` (type, timestamp, payload); and a player that joins then. */
function joinAfter(frames: [number, number, Buffer][]) {
  const { engine, client } = setup();
  const r = engine.publish({ app: app(), name: "s", address: "127.0.0.1", client });
  assert.ok(r.ok);
  const pub = r.publisher;
  pub.message(9, 0, avcHeader);
  pub.message(8, 0, aacHeader);
  for (const [type, ts, payload] of frames) pub.message(type, ts, payload);
  const out = new Out();
  engine.play({ app: app(), name: "s", address: "127.0.0.1", output: out, chunkSize: 4096, streamId: 1 });
  return { pub, out };
}

test("a joining player gets headers then the cached GOP, keyframe first", () => {
  const { pub, out } = joinAfter([
    [9, 0, key()],
    [8, 10, aac()],
    [9, 40, inter()],
    [9, 2000, key()],
    [8, 2010, aac()],
  ]);
  assert.deepEqual(out.kinds(), ["9:17@2000", "8:af@2000", "9:17@2000", "8:af@2010"]);
  pub.message(9, 2040, inter());
  assert.equal(out.sent.length, 5);
});

test("a player that joins before the first keyframe gets the headers, then waits for the keyframe", () => {
  const { pub, out } = joinAfter([[8, 10, aac()]]);
  assert.deepEqual(
    out.kinds().map((k) => k.split("@")[0]),
    ["9:17", "8:af"],
  );
  pub.message(8, 20, aac()); // not a start: the stream has video
  pub.message(9, 40, key());
  pub.message(8, 50, aac());
  assert.deepEqual(out.kinds().slice(2), ["9:17@40", "8:af@50"]);
});

test("each packet is encoded once for all players with the same chunk size", () => {
  const { engine, client } = setup();
  const r = engine.publish({ app: app({ gopCacheSize: 0 }), name: "s", address: "a", client });
  assert.ok(r.ok);
  const outs = Array.from({ length: 20 }, () => new Out());
  for (const o of outs)
    engine.play({ app: app(), name: "s", address: "b", output: o, chunkSize: 4096, streamId: 1 });
  const before = encodes;
  r.publisher.message(9, 0, key());
  assert.equal(encodes - before, 1);
  assert.ok(outs.every((o) => o.sent[0] === outs[0]!.sent[0]));
});

test("second publisher gets busy; with publishReplace it takes over and the old one is kicked", () => {
  const { engine, client, kicked } = setup();
  assert.ok(engine.publish({ app: app(), name: "s", address: "a", client }).ok);
  assert.deepEqual(engine.publish({ app: app(), name: "s", address: "b", client }), {
    ok: false,
    reason: "busy",
  });
  assert.ok(engine.publish({ app: app(), name: "t", address: "b", client }).ok);
  const out = new Out();
  engine.play({ app: app(), name: "s", address: "p", output: out, chunkSize: 128, streamId: 1 });
  const r = engine.publish({ app: app({ publishReplace: true }), name: "s", address: "c", client });
  assert.ok(r.ok);
  assert.deepEqual(kicked, ["replaced"]);
  assert.deepEqual(out.events, [], "a takeover is seamless for players");
  assert.equal(engine.stats().find((s) => s.name === "s")!.publisherAddress, "c");
});

test("a player that stops reading stays within its bound and skips to the next keyframe", () => {
  const { engine, client } = setup();
  const r = engine.publish({ app: app(), name: "s", address: "a", client });
  assert.ok(r.ok);
  const slow = new Out();
  slow.drains = false;
  const fast = new Out();
  const req = { app: app(), name: "s", address: "p", chunkSize: 4096, streamId: 1, maxQueueBytes: 10_000 };
  engine.play({ ...req, output: slow });
  engine.play({ ...req, output: fast });
  let n = 0;
  for (let t = 0; t < 100; t++) {
    r.publisher.message(9, t * 40, t % 25 === 0 ? key(1000) : inter(1000));
    n++;
  }
  assert.equal(fast.sent.length, n);
  assert.ok(slow.pendingBytes <= 10_000);
  slow.drains = true;
  slow.pendingBytes = 0;
  const got = slow.sent.length;
  r.publisher.message(9, 4000, inter());
  assert.equal(slow.sent.length, got, "waits for a keyframe");
  r.publisher.message(9, 4040, key());
  assert.equal(slow.sent.length, got + 1);
  const st = engine.stats()[0]!;
  assert.ok(st.playerQueues.some((q) => q.skips > 0 && q.maxPending <= 10_000));
});

test("metadata is kept without @setDataFrame, sinks get start/message/stop", () => {
  const { engine, client } = setup();
  const msgs: string[] = [];
  const sink: MediaSink = {
    start: (s) => msgs.push(`start ${s.app}/${s.name}`),
    message: (k, ts) => msgs.push(`${k}@${ts}`),
    stop: () => msgs.push("stop"),
  };
  const e2 = new LiveEngine({ clock: new FakeClock(), log: memoryLogger(), encode, sinks: () => [sink] });
  const r = e2.publish({ app: app(), name: "s", address: "a", client });
  assert.ok(r.ok);
  const str = (s: string) => Buffer.concat([Buffer.from([2, 0, s.length]), Buffer.from(s)]);
  const num = (k: string, v: number) => {
    const b = Buffer.alloc(9);
    b[0] = 0;
    b.writeDoubleBE(v, 1);
    return Buffer.concat([Buffer.from([0, k.length]), Buffer.from(k), b]);
  };
  const obj = Buffer.concat([
    Buffer.from([8, 0, 0, 0, 2]),
    num("width", 640),
    num("height", 360),
    Buffer.from([0, 0, 9]),
  ]);
  r.publisher.message(18, 0, Buffer.concat([str("@setDataFrame"), str("onMetaData"), obj]));
  r.publisher.message(9, 0, key());
  const out = new Out();
  e2.play({ app: app(), name: "s", address: "p", output: out, chunkSize: 128, streamId: 1 });
  assert.equal(
    out.sent[0]!.subarray(5, 5 + 13)
      .toString("latin1")
      .slice(3),
    "onMetaData",
  );
  const st = e2.stats()[0]!;
  assert.equal(st.width, 640);
  assert.equal(st.height, 360);
  assert.equal(st.videoCodec, "H264");
  r.publisher.end();
  assert.deepEqual(msgs, ["start live/s", "data@0", "video@0", "stop"]);
  void engine;
});

test("drop_idle_publisher ends a publisher that sends no media", () => {
  const { engine, client, kicked, clock } = setup();
  const r = engine.publish({ app: app({ dropIdlePublisher: 5000 }), name: "s", address: "a", client });
  assert.ok(r.ok);
  clock.advance(3000);
  r.publisher.message(9, 0, key());
  clock.advance(4000);
  assert.deepEqual(kicked, []);
  clock.advance(1500);
  assert.deepEqual(kicked, ["idle"]);
  assert.equal(engine.isPublishing("live", "s"), false);
});

test("aggregate messages are split with rebased timestamps", () => {
  const tag = (type: number, ts: number, body: Buffer) => {
    const h = Buffer.alloc(11);
    h[0] = type;
    h.writeUIntBE(body.length, 1, 3);
    h.writeUIntBE(ts & 0xffffff, 4, 3);
    h[7] = ts >>> 24;
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(11 + body.length);
    return Buffer.concat([h, body, tail]);
  };
  const agg = Buffer.concat([tag(9, 500, key(3)), tag(8, 520, aac(3))]);
  const parts = splitAggregate(agg, 1000)!;
  assert.deepEqual(
    parts.map((p) => [p.type, p.timestamp, p.payload.length]),
    [
      [9, 1000, 8],
      [8, 1020, 5],
    ],
  );
  assert.equal(splitAggregate(agg.subarray(0, 30), 0), null);
});

test("access rules: first match wins, CIDR v4/v6, all, mapped v4", () => {
  const pos = { file: "t", line: 1 };
  const acl = new AccessList([
    { action: "allow", what: "publish", from: "127.0.0.1", pos },
    { action: "allow", what: "publish", from: "10.0.0.0/8", pos },
    { action: "allow", what: "publish", from: "2001:db8::/32", pos },
    { action: "deny", what: "publish", from: "all", pos },
    { action: "deny", what: "play", from: "192.168.1.0/24", pos },
  ]);
  assert.equal(acl.allows("publish", "127.0.0.1"), true);
  assert.equal(acl.allows("publish", "::ffff:127.0.0.1"), true);
  assert.equal(acl.allows("publish", "10.200.3.4"), true);
  assert.equal(acl.allows("publish", "2001:db8:1::5"), true);
  assert.equal(acl.allows("publish", "2001:db9::5"), false);
  assert.equal(acl.allows("publish", "11.0.0.1"), false);
  assert.equal(acl.allows("play", "192.168.1.77"), false);
  assert.equal(acl.allows("play", "192.168.2.77"), true);
});

test("property: players start on a keyframe and never exceed their bound, whatever the traffic", async () => {
  const fc = (await import("fast-check")).default;
  const step = fc.oneof(
    fc.record({
      k: fc.constant("frame" as const),
      key: fc.boolean(),
      size: fc.integer({ min: 1, max: 3000 }),
      audio: fc.boolean(),
    }),
    fc.record({ k: fc.constant("join" as const), drains: fc.boolean() }),
    fc.record({ k: fc.constant("drain" as const), which: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 120 }), fc.integer({ min: 0, max: 20_000 }), (steps, gop) => {
      const engine = new LiveEngine({ clock: new FakeClock(), log: memoryLogger(), encode });
      const r = engine.publish({
        app: app({ gopCacheSize: gop }),
        name: "s",
        address: "a",
        client: { kick() {} },
      });
      assert.ok(r.ok);
      r.publisher.message(9, 0, avcHeader);
      const outs: Out[] = [];
      let ts = 0;
      for (const s of steps) {
        if (s.k === "frame") {
          ts += 20;
          const body = s.audio ? aac(s.size) : s.key ? key(s.size) : inter(s.size);
          r.publisher.message(s.audio ? 8 : 9, ts, body);
        } else if (s.k === "join") {
          const o = new Out();
          o.drains = s.drains;
          outs.push(o);
          engine.play({
            app: app(),
            name: "s",
            address: "p",
            output: o,
            chunkSize: 4096,
            streamId: 1,
            maxQueueBytes: 8000,
          });
        } else if (outs.length > 0) {
          outs[s.which % outs.length]!.pendingBytes = 0;
        }
        for (const o of outs)
          assert.ok(o.pendingBytes <= 16_000, "within twice the bound (headers), media within it");
      }
      for (const o of outs) {
        const media = o.sent.filter((b) => b[0] === 9 && b[6] === 1);
        if (media.length > 0) assert.equal(media[0]![5], 0x17, "first video frame is a keyframe");
      }
    }),
    { numRuns: 200 },
  );
});

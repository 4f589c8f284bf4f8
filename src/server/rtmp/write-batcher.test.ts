import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { PacketArena } from "../../engine/live/packet-arena.js";
import { NodeTickTimer } from "../process/tick-timer.js";
import { IOV_MAX, KEEP_SLOTS, OutputQueue, WriteBatcher } from "./write-batcher.js";

/** A loopback pair: `out` is written by the queue, `in` is read by the test. */
async function pair(t: { after: (fn: () => void) => void }): Promise<{ out: Socket; inn: Socket }> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, "connection");
  const out = connect(port, "127.0.0.1");
  await once(out, "connect");
  const [inn] = (await accepted) as [Socket];
  t.after(() => {
    out.destroy();
    inn.destroy();
    server.close();
  });
  return { out, inn };
}

/** Resumes `inn` and checks that it receives exactly the concatenation of `want`, in order. */
async function receivesExactly(inn: Socket, want: Buffer[]): Promise<void> {
  const expected = Buffer.concat(want);
  const got: Buffer[] = [];
  let n = 0;
  inn.on("data", (d: Buffer) => {
    got.push(d);
    n += d.length;
  });
  inn.resume();
  while (n < expected.length) await once(inn, "data");
  assert.equal(n, expected.length);
  const all = Buffer.concat(got);
  let k = 0;
  while (k < all.length && all[k] === expected[k]) k++;
  assert.ok(
    all.equals(expected),
    `bytes arrive unchanged and in order (first difference at ${k} of ${all.length}: ${all[k]} vs ${expected[k]})`,
  );
}

/**
 * Reads `inn` until it has the bytes of `want` (or more), or nothing came
 * for `idleMs`; asserts it got exactly their concatenation. It never hangs
 * on a queue that sent too little.
 */
async function receivesWithin(inn: Socket, want: Buffer[], idleMs = 1000): Promise<void> {
  const expected = Buffer.concat(want);
  const got: Buffer[] = [];
  let n = 0;
  let wake: (() => void) | null = null;
  inn.on("data", (d: Buffer) => {
    got.push(d);
    n += d.length;
    wake?.();
  });
  inn.resume();
  while (n < expected.length) {
    const before = n;
    await new Promise<void>((r) => {
      wake = r;
      setTimeout(r, idleMs);
    });
    if (n === before) break;
  }
  await new Promise((r) => setImmediate(r));
  const all = Buffer.concat(got);
  assert.ok(
    all.equals(expected),
    `received ${all.length} bytes, expected ${expected.length}, same bytes in order`,
  );
}

/** Buffer i of a flush: its own length and fill byte, so a misplaced or repeated part would show. */
const part = (flush: number, i: number): Buffer =>
  Buffer.alloc(100 + ((flush * 7 + i * 13) % 900), (flush * 3 + i) & 0xff);

/**
 * A piece of `arena` holding part(f, i), released at once as a GOP cache
 * eviction could: from then on only what the queue and the socket hold
 * keeps it from being reused (and poisoned).
 */
function lend(arena: PacketArena, f: number, i: number): Buffer {
  const want = part(f, i);
  const piece = arena.take(want.length);
  want.copy(piece);
  const slab = arena.lastSlab;
  if (slab) arena.release(slab);
  return piece;
}

test("flushes arrive whole and in order, for a stalled reader too (what the kernel refused goes through the socket, holding its slab)", async (t) => {
  const { out, inn } = await pair(t);
  const arena = new PacketArena({ slabBytes: 64 * 1024, maxPiece: 64 * 1024, poison: true });
  const batcher = new WriteBatcher(10, arena);
  t.after(() => batcher.stop());
  const q = new OutputQueue(out, batcher);
  const other = await pair(t);
  const q2 = new OutputQueue(other.out, batcher);
  other.inn.resume(); // a reader that keeps up
  inn.pause(); // the kernel buffers fill: later flushes stay queued in the socket
  const want: Buffer[] = [];
  for (let f = 0; f < 4000; f++) {
    for (let i = 0; i < 4; i++) {
      want.push(part(f, i));
      q.push(lend(arena, f, i));
      q2.push(lend(arena, f + 1, i)); // another connection flushed at the same ticks
    }
    batcher.flushAll(); // slabs nobody holds become reusable, poisoned
  }
  assert.ok(out.writableLength > 0, "the stalled socket holds part of what was written");
  assert.ok(q.directBytes > 0, "flushes went straight to the descriptor while the kernel took them");
  assert.ok(out.bytesWritten > 0, "and through the socket once it held unsent bytes");
  assert.ok(
    arena.stats().pieces > 0,
    `what the socket holds unsent holds its slabs ${JSON.stringify(arena.stats())} ${out.writableLength}`,
  );
  await receivesExactly(inn, want);
  for (let w = 0; w < 50 && arena.stats().pieces > 0; w++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(
    arena.stats().pieces,
    0,
    `written: every slab let go ${JSON.stringify(arena.stats())} ${out.writableLength}`,
  );
});

test("a socket destroyed with unsent data lets its slabs go", async (t) => {
  const { out, inn } = await pair(t);
  const arena = new PacketArena({ slabBytes: 64 * 1024, maxPiece: 64 * 1024 });
  const batcher = new WriteBatcher(10, arena);
  t.after(() => batcher.stop());
  const q = new OutputQueue(out, batcher);
  inn.pause();
  for (let f = 0; f < 4000; f++) {
    for (let i = 0; i < 4; i++) q.push(lend(arena, f, i));
    batcher.flushAll();
  }
  assert.ok(arena.stats().pieces > 0);
  out.destroy();
  await once(out, "close");
  assert.equal(arena.stats().pieces, 0);
});

test("flush_interval 0: each buffer is written at once, straight to the descriptor, holding its slab when the socket keeps it", async (t) => {
  const { out, inn } = await pair(t);
  const arena = new PacketArena({
    slabBytes: 64 * 1024,
    maxPiece: 64 * 1024,
    quarantine: false,
    poison: true,
  });
  const batcher = new WriteBatcher(0, arena);
  t.after(() => batcher.stop());
  const q = new OutputQueue(out, batcher);
  q.push(lend(arena, 1, 1));
  assert.equal(q.directBytes, part(1, 1).length, "written before push returned, with no stream write");
  assert.equal(out.bytesWritten, 0);
  inn.pause();
  const want: Buffer[] = [part(1, 1)];
  for (let i = 0; i < 20_000; i++) {
    want.push(part(i, 2));
    q.push(lend(arena, i, 2)); // released at once: only the socket's hold keeps it
  }
  assert.ok(out.writableLength > 0, "the stalled socket holds the rest");
  await receivesExactly(inn, want);
});

test("a flush of more buffers than one writev takes goes in groups, in order", async (t) => {
  const { out, inn } = await pair(t);
  const batcher = new WriteBatcher(10);
  t.after(() => batcher.stop());
  const q = new OutputQueue(out, batcher);
  const parts = Array.from({ length: IOV_MAX * 2 + 7 }, (_, i) => part(i, 1));
  for (const b of parts) q.push(b);
  batcher.flushAll();
  await receivesExactly(inn, parts);
  assert.equal(q.directBytes + out.bytesWritten, Buffer.concat(parts).length, "every byte written once");
});

test("the interval changes on reload between non-zero values only", async (t) => {
  const batcher = new WriteBatcher(200);
  t.after(() => batcher.stop());
  let ticks = 0;
  batcher.pace({ onTick: () => ticks++ });
  assert.equal(batcher.setIntervalMs(10), true);
  assert.equal(batcher.intervalMs, 10);
  await new Promise((r) => setTimeout(r, 120));
  assert.ok(ticks >= 4, `the new interval applies at once (${ticks} ticks in 120 ms)`);
  assert.equal(batcher.setIntervalMs(0), false, "0 needs a restart");
  assert.equal(batcher.intervalMs, 10);
  assert.equal(new WriteBatcher(0).setIntervalMs(50), false, "and so does leaving 0");
  assert.equal(batcher.setIntervalMs(10), true, "the same value is no change");
});

test("a run's array is reused across ticks: shorter flushes after longer ones send nothing stale, early flushes keep order", async (t) => {
  const { out, inn } = await pair(t);
  const batcher = new WriteBatcher(10);
  t.after(() => batcher.stop());
  const q = new OutputQueue(out, batcher);
  const want: Buffer[] = [];
  const sizes = [10, 3, KEEP_SLOTS + 6, 2, 0, 17, 1, KEEP_SLOTS, 4];
  sizes.forEach((count, f) => {
    for (let i = 0; i < count; i++) {
      want.push(part(f, i));
      q.push(part(f, i));
      if (i === 1) {
        q.flush(); // what a control message does: media queued so far goes first
        want.push(part(f + 100, 0));
        out.write(part(f + 100, 0));
      }
    }
    batcher.flushAll();
  });
  await receivesExactly(inn, want);
  assert.equal(q.directBytes + out.bytesWritten, Buffer.concat(want).length, "every byte written once");
});

test("replies added during a read leave with the next flush, and media pushed meanwhile goes after them (flush_interval 0 too)", async (t) => {
  for (const interval of [10, 0]) {
    const { out, inn } = await pair(t);
    const batcher = new WriteBatcher(interval);
    t.after(() => batcher.stop());
    const q = new OutputQueue(out, batcher);
    q.add(part(1, 1));
    q.add(part(1, 2));
    assert.equal(q.directBytes + out.bytesWritten, 0, "added replies wait for the caller's flush");
    q.push(part(1, 3)); // media (a joiner's GOP cache) after the replies
    q.flush();
    q.push(part(1, 4));
    batcher.flushAll();
    await receivesExactly(inn, [part(1, 1), part(1, 2), part(1, 3), part(1, 4)]);
  }
});

/** `n` loopback pairs, each written by a queue of one batcher, and what each is expected to receive. */
async function players(t: { after: (fn: () => void) => void }, n: number) {
  const batcher = new WriteBatcher(10);
  t.after(() => batcher.stop());
  const pairs = await Promise.all(Array.from({ length: n }, () => pair(t)));
  const qs = pairs.map((p) => new OutputQueue(p.out, batcher));
  const want: Buffer[][] = qs.map(() => []);
  return { batcher, pairs, qs, want };
}

test("players given the same media share one run per tick, and each receives what it was given", async (t) => {
  const { batcher, pairs, qs, want } = await players(t, 4);
  // Nobody reads until the end: the kernel takes less and less, and the rest of each run goes
  // through each socket (a run's array is never changed by one player's partial write).
  for (let f = 0; f < 3000; f++) {
    for (let i = 0; i < 12; i++) {
      const b = part(f, i);
      for (let k = 0; k < qs.length; k++) {
        if (k === 3 && i === 5) continue; // one player is not given this one (a drop): it leaves the run
        qs[k]!.push(b);
        want[k]!.push(b);
      }
    }
    assert.equal(batcher.runsInUse, 1, "one run for the tick: the player that left copied its prefix");
    batcher.flushAll();
    assert.equal(batcher.runsInUse, 0);
  }
  assert.ok(
    pairs.every((p) => p.out.writableLength > 0),
    "every socket holds part of what was written",
  );
  await Promise.all(pairs.map((p, k) => receivesWithin(p.inn, want[k]!)));
});

/**
 * A model of what the engine and a connection do to the queues of one
 * batcher: media broadcast to some players in turn (the same buffer to
 * each), a reply to one player (added, then flushed by the connection), an
 * early flush (a player's acknowledgement read), a tick. Whatever the mix,
 * each socket receives exactly what its queue was given, in order.
 */
test("property: queues in shared runs send each player exactly what it was given, in order", async (t) => {
  const op = fc.oneof(
    {
      arbitrary: fc.record({
        k: fc.constant("media" as const),
        to: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      }),
      weight: 8,
    },
    { arbitrary: fc.record({ k: fc.constant("reply" as const), q: fc.nat(2) }), weight: 1 },
    { arbitrary: fc.record({ k: fc.constant("flush" as const), q: fc.nat(2) }), weight: 1 },
    { arbitrary: fc.record({ k: fc.constant("tick" as const) }), weight: 2 },
  );
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 120 }), async (ops) => {
      run++;
      const batcher = new WriteBatcher(1000);
      const pairs = await Promise.all([0, 1, 2].map(() => pair(t)));
      try {
        const qs = pairs.map((p) => new OutputQueue(p.out, batcher));
        const want: Buffer[][] = [[], [], []];
        let seq = 0;
        for (const o of ops) {
          if (o.k === "media") {
            const b = part(run, seq++);
            o.to.forEach((given, k) => {
              if (!given) return;
              qs[k]!.push(b);
              want[k]!.push(b);
            });
          } else if (o.k === "reply") {
            const b = part(run + 500, seq++);
            qs[o.q]!.add(b);
            want[o.q]!.push(b);
            qs[o.q]!.flush();
          } else if (o.k === "flush") qs[o.q]!.flush();
          else batcher.flushAll();
        }
        batcher.flushAll();
        await Promise.all(pairs.map((p, k) => receivesWithin(p.inn, want[k]!)));
      } finally {
        batcher.stop();
        for (const p of pairs) {
          p.out.destroy();
          p.inn.destroy();
        }
      }
    }),
    { numRuns: 60 },
  );
});

test("players of one stream with two chunk sizes, in alternate order, make two runs, not one per player", async (t) => {
  const { batcher, pairs, qs, want } = await players(t, 6);
  for (let i = 0; i < 10; i++) {
    const encodings = [part(1, i), part(2, i)]; // one message as two chunk sizes encode it
    qs.forEach((q, k) => {
      q.push(encodings[k % 2]!);
      want[k]!.push(encodings[k % 2]!);
    });
  }
  assert.equal(batcher.runsInUse, 2);
  batcher.flushAll();
  await Promise.all(pairs.map((p, k) => receivesWithin(p.inn, want[k]!)));
});

test("a tick is one writev(2) per player, whatever the run's unused slots (strace)", async (t) => {
  // A child process under strace: 3 players of one stream, 4 ticks of 5 messages each.
  const dir = mkdtempSync(join(tmpdir(), "onair-writev-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const TICKS = 4;
  const script = `
    import { once } from "node:events";
    import { connect, createServer } from "node:net";
    import { OutputQueue, WriteBatcher } from ${JSON.stringify(fileURLToPath(new URL("./write-batcher.ts", import.meta.url)))};
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const outs = [], ins = [];
    for (let i = 0; i < 3; i++) {
      const accepted = once(server, "connection");
      const c = connect(server.address().port, "127.0.0.1");
      await once(c, "connect");
      outs.push((await accepted)[0]);
      ins.push(c);
    }
    let got = 0;
    for (const c of ins) c.on("data", (d) => { got += d.length; });
    const batcher = new WriteBatcher(1000);
    const qs = outs.map((s) => new OutputQueue(s, batcher));
    let sent = 0;
    for (let t = 0; t < ${TICKS}; t++) {
      const bufs = Array.from({ length: 5 }, (_, i) => Buffer.alloc(100 + i, t));
      for (const q of qs) for (const b of bufs) { q.push(b); sent += b.length; }
      batcher.flushAll();
    }
    while (got < sent) await new Promise((r) => setTimeout(r, 10));
    console.log(JSON.stringify({ fds: outs.map((s) => s._handle.fd), got }));
    batcher.stop();
    for (const s of [...outs, ...ins]) s.destroy();
    server.close();
  `;
  const trace = join(dir, "strace.txt");
  const r = spawnSync(
    "strace",
    [
      "-f",
      "-qq",
      "-e",
      "trace=writev",
      "-o",
      trace,
      process.execPath,
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      script,
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  assert.equal(r.status, 0, `the traced child ran: ${r.stderr}`);
  const { fds } = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { fds: number[] };
  const calls = readFileSync(trace, "utf8")
    .split("\n")
    .map((l) => /writev\((\d+),/.exec(l)?.[1])
    .filter((fd) => fd !== undefined)
    .map(Number);
  for (const fd of fds) {
    assert.equal(calls.filter((c) => c === fd).length, TICKS, `writev calls on player fd ${fd}`);
  }
});

test("the chore runs from the ticks while a reader is paced, from its own timer otherwise", async (t) => {
  const batcher = new WriteBatcher(20);
  t.after(() => batcher.stop());
  let inTick = false;
  const calls: boolean[] = [];
  batcher.setChore(() => calls.push(inTick), 60);
  const reader = {
    onTick() {
      inTick = true;
      queueMicrotask(() => {
        inTick = false;
      });
    },
  };
  /** For `ms`: the chore has its own timer or not, ran `min..max` times, from ticks or not. */
  const phase = async (what: string, ownTimer: boolean, ms: number, min: number, max: number) => {
    assert.equal(batcher.choreHasOwnTimer, ownTimer, `${what}: a timer of its own`);
    await new Promise((r) => setTimeout(r, ms));
    const runs = calls.splice(0);
    assert.ok(runs.length >= min && runs.length <= max, `${what}: ${runs.length} runs in ${ms} ms at 60 ms`);
    assert.ok(
      runs.every((fromTick) => fromTick === !ownTimer),
      `${what}: from ticks ${!ownTimer}`,
    );
  };
  await phase("nothing paced", true, 400, 3, 8);
  batcher.pace(reader);
  await phase("paced", false, 400, 3, 12);
  batcher.unpace(reader);
  await phase("unpaced", true, 250, 2, 6);
  batcher.stop();
  assert.equal(batcher.choreHasOwnTimer, false, "stopped: no timer");
});

test("without the addon's timer (Node's fallback), the batcher ticks its paced readers and stops", async (t) => {
  const batcher = new WriteBatcher(10, null, (fn) => new NodeTickTimer(fn));
  t.after(() => batcher.stop());
  let ticks = 0;
  batcher.pace({
    onTick() {
      ticks++;
    },
  });
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(ticks >= 3, `${ticks} ticks in 150 ms at 10 ms`);
  batcher.stop();
  const after = ticks;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(ticks, after, "no tick after stop");
});

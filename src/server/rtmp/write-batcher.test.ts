import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { PacketArena } from "../../engine/live/packet-arena.js";
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

test("a queue's array is reused across ticks: shorter flushes after longer ones send nothing stale, early flushes keep order", async (t) => {
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

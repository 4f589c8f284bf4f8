import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { IOV_MAX, OutputQueue, WriteBatcher } from "./write-batcher.js";

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
  assert.ok(Buffer.concat(got).equals(expected), "bytes arrive unchanged and in order");
}

/** Buffer i of a flush: its own length and fill byte, so a misplaced or repeated part would show. */
const part = (flush: number, i: number): Buffer =>
  Buffer.alloc(100 + ((flush * 7 + i * 13) % 900), (flush * 3 + i) & 0xff);

test("flushes arrive whole and in order, for a stalled reader too (what the kernel refused goes through the socket, copied)", async (t) => {
  const { out, inn } = await pair(t);
  const batcher = new WriteBatcher(10);
  t.after(() => batcher.stop());
  const q = new OutputQueue(out, batcher);
  const other = await pair(t);
  const q2 = new OutputQueue(other.out, batcher);
  inn.pause(); // the kernel buffers fill: later flushes stay queued in the socket
  const want: Buffer[] = [];
  const lent: Buffer[] = [];
  let flushed = 0;
  for (let f = 0; f < 4000; f++) {
    for (let i = 0; i < 4; i++) {
      const b = part(f, i);
      want.push(Buffer.from(b));
      lent.push(b);
      q.push(b);
      q2.push(part(f + 1, i)); // another connection flushed at the same ticks
    }
    batcher.flushAll();
    // Once flushed, the buffers are the caller's again (arena slabs get reused): the socket kept copies.
    for (const b of lent) b.fill(0xee);
    lent.length = 0;
    flushed++;
  }
  assert.equal(flushed, 4000);
  assert.ok(out.writableLength > 0, "the stalled socket holds part of what was written");
  assert.ok(q.directBytes > 0, "flushes went straight to the descriptor while the kernel took them");
  assert.ok(out.bytesWritten > 0, "and through the socket once it held unsent bytes");
  await receivesExactly(inn, want);
});

test("flush_interval 0: each buffer is written at once, straight to the descriptor, and copied when the socket keeps it", async (t) => {
  const { out, inn } = await pair(t);
  let cues = 0;
  const batcher = new WriteBatcher(0, () => cues++);
  t.after(() => batcher.stop());
  const q = new OutputQueue(out, batcher);
  const b = part(1, 1);
  q.push(b);
  assert.equal(q.directBytes, b.length, "written before push returned, with no stream write");
  assert.equal(out.bytesWritten, 0);
  inn.pause();
  const want: Buffer[] = [Buffer.from(b)];
  for (let i = 0; i < 20_000; i++) {
    const x = part(i, 2);
    want.push(Buffer.from(x));
    q.push(x);
    x.fill(0xee); // the caller reuses it at once
  }
  assert.ok(out.writableLength > 0, "the stalled socket holds the rest");
  await receivesExactly(inn, want);
  batcher.flushAll();
  assert.equal(cues, 1, "flushAll gives its cue (the arena's) even with nothing queued");
});

test("a flush of more buffers than one writev takes goes in groups, in order", async (t) => {
  const { out, inn } = await pair(t);
  const batcher = new WriteBatcher(10);
  t.after(() => batcher.stop());
  const q = new OutputQueue(out, batcher);
  const parts = Array.from({ length: IOV_MAX * 2 + 7 }, (_, i) => part(i, 1));
  for (const b of parts) q.push(b);
  batcher.flushAll();
  const expected = Buffer.concat(parts);
  const got: Buffer[] = [];
  let n = 0;
  inn.on("data", (d: Buffer) => {
    got.push(d);
    n += d.length;
  });
  while (n < expected.length) await once(inn, "data");
  assert.ok(Buffer.concat(got).equals(expected));
  assert.equal(q.directBytes + out.bytesWritten, expected.length, "every byte written once");
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

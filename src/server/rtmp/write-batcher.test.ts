import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { OutputQueue, WriteBatcher } from "./write-batcher.js";

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

/** Buffer i of a flush: its own length and fill byte, so a reused slab region would show. */
const part = (flush: number, i: number): Buffer =>
  Buffer.alloc(100 + ((flush * 7 + i * 13) % 900), (flush * 3 + i) & 0xff);

test("flushes gathered in the shared slab arrive whole and in order, for a stalled reader too", async (t) => {
  const { out, inn } = await pair(t);
  const batcher = new WriteBatcher(10);
  t.after(() => batcher.stop());
  const q = new OutputQueue(out, batcher);
  const other = await pair(t);
  const q2 = new OutputQueue(other.out, batcher);
  inn.pause(); // the kernel buffers fill: later flushes stay queued in the socket
  const want: Buffer[] = [];
  for (let f = 0; f < 4000; f++) {
    for (let i = 0; i < 4; i++) {
      const b = part(f, i);
      want.push(b);
      q.push(b);
      q2.push(part(f + 1, i)); // another connection writes through the same slab meanwhile
    }
    batcher.flushAll();
  }
  assert.ok(out.writableLength > 0, "the stalled socket holds part of what was written");
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
});

test("a flush larger than the gather bound goes by reference", async (t) => {
  const { out, inn } = await pair(t);
  const batcher = new WriteBatcher(10);
  t.after(() => batcher.stop());
  const q = new OutputQueue(out, batcher);
  const big = [Buffer.alloc(50_000, 1), Buffer.alloc(50_000, 2)];
  for (const b of big) q.push(b);
  batcher.flushAll();
  const expected = Buffer.concat(big);
  let got = Buffer.alloc(0);
  inn.on("data", (d: Buffer) => {
    got = Buffer.concat([got, d]);
  });
  while (got.length < expected.length) await once(inn, "data");
  assert.ok(got.equals(expected));
});

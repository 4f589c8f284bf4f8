import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SocketReader } from "./socket-reader.js";
import { WriteBatcher } from "./write-batcher.js";

/** A loopback pair: `client` writes, `accepted` is the server side (as the RTMP server gets it). */
async function pair(
  t: { after: (fn: () => void) => void },
  onAccept: (s: Socket) => void,
): Promise<{ client: Socket; accepted: Socket }> {
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) =>
    server.on("connection", (s: Socket) => {
      onAccept(s);
      resolve(s);
    }),
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const client = connect(port, "127.0.0.1");
  await once(client, "connect");
  const s = await accepted;
  t.after(() => {
    client.destroy();
    s.destroy();
    server.close();
  });
  return { client, accepted: s };
}

function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff;
  return b;
}

test("a server-accepted socket reads into the shared buffer on this Node (the fast path is taken)", async (t) => {
  let reader: SocketReader | null = null;
  const got: Buffer[] = [];
  const { client, accepted } = await pair(t, (s) => {
    reader = new SocketReader(s, (d) => got.push(Buffer.from(d))); // a copy: the view is reused
  });
  assert.equal(reader!.reusesBuffer, true, "Node's user-buffer read path is available");
  const data = pattern(3 * 1024 * 1024 + 17);
  const closed = once(accepted, "close");
  client.end(data);
  await closed;
  assert.ok(got.length > 1, "several reads");
  assert.ok(Buffer.concat(got).equals(data), "bytes arrive whole and in order, then EOF closes");
  assert.equal(accepted.bytesRead, data.length);
});

test("a paused reader reads nothing until resumed; what waited comes in one read", async (t) => {
  let reader: SocketReader | null = null;
  const got: Buffer[] = [];
  const { client } = await pair(t, (s) => {
    reader = new SocketReader(s, (d) => got.push(Buffer.from(d)));
  });
  client.write("a");
  while (got.length === 0) await sleep(5);
  reader!.pause();
  assert.equal(reader!.paused, true);
  for (let i = 0; i < 5; i++) {
    client.write(`b${i}`);
    await sleep(5);
  }
  await sleep(30);
  assert.equal(got.length, 1, "nothing read while paused");
  reader!.resume();
  while (got.length < 2) await sleep(5);
  await sleep(20);
  assert.equal(got.length, 2, "everything that waited in the kernel came in one read");
  assert.equal(Buffer.concat(got).toString(), "ab0b1b2b3b4");
});

test("the batcher resumes paced readers at every tick, and stops when told", async (t) => {
  const batcher = new WriteBatcher(10);
  t.after(() => batcher.stop());
  let resumes = 0;
  const r = { onTick: () => resumes++ };
  assert.equal(batcher.pace(r), true);
  await sleep(120);
  assert.ok(resumes >= 4, `resumed at each tick (${resumes})`);
  batcher.unpace(r);
  const n = resumes;
  await sleep(50);
  assert.ok(resumes <= n + 1, "no more resumes once unpaced");
  assert.equal(new WriteBatcher(0).pace(r), false, "no pacing when output is not batched");
});

test("readNow takes what waits in the kernel at once, without a poll, and EOF closes the socket", async (t) => {
  let reader: SocketReader | null = null;
  const got: Buffer[] = [];
  const { client, accepted } = await pair(t, (s) => {
    reader = new SocketReader(s, (d) => got.push(Buffer.from(d)));
  });
  const r = reader!;
  assert.equal(r.canReadNow, true, "the descriptor is exposed on this Node");
  client.write("x");
  while (got.length === 0) await sleep(5);
  r.pause();
  assert.equal(r.readNow(), 0, "nothing waiting: EAGAIN, no error");
  assert.equal(accepted.destroyed, false);
  const data = pattern(200 * 1024 + 5); // more than one read buffer
  client.write(data);
  await sleep(50);
  assert.equal(got.length, 1, "paused: the loop read nothing");
  const first = r.readNow();
  assert.ok(first > 64 * 1024, `one call reads again while reads fill the buffer (${first})`);
  assert.ok(got.length >= 1 + 2, `reads of at most the buffer size (${got.length - 1})`);
  let n = first;
  // The rest waited in the client's send queue until the receive buffer had room.
  for (let i = 0; i < 100 && n < data.length; i++) {
    await sleep(5);
    n += r.readNow();
  }
  assert.equal(n, data.length);
  assert.ok(Buffer.concat(got.slice(1)).equals(data), "bytes whole and in order");
  assert.equal(r.directBytes, data.length);
  const closed = once(accepted, "close");
  client.end();
  await sleep(20);
  assert.equal(r.readNow(), 0);
  await closed; // the FIN read by readNow destroyed the socket
  assert.equal(r.readNow(), 0, "nothing after close");
});

test("readNow on a reset connection destroys the socket with the error", async (t) => {
  let reader: SocketReader | null = null;
  const { client, accepted } = await pair(t, (s) => {
    reader = new SocketReader(s, () => {});
  });
  reader!.pause();
  const err = once(accepted, "error");
  client.resetAndDestroy();
  await sleep(20);
  reader!.readNow();
  const [e] = (await err) as [NodeJS.ErrnoException];
  assert.equal(e.code, "ECONNRESET");
});

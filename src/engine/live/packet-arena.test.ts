import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { PacketArena, POISON_BYTE } from "./packet-arena.js";

test("pieces are carved in order from one slab; a full slab held by nothing waits for flushed(), then is reused", () => {
  const a = new PacketArena({ slabBytes: 1000, maxPiece: 1000, poison: true });
  const p1 = a.take(400);
  const s1 = a.lastSlab!;
  const p2 = a.take(400);
  assert.equal(a.lastSlab, s1);
  assert.equal(p1.buffer, p2.buffer, "one slab");
  assert.equal(p2.byteOffset - p1.byteOffset, 400);
  a.release(s1);
  a.release(s1);
  assert.equal(a.stats().quarantined, 0, "the current slab is never retired");
  a.take(400); // does not fit: a new slab, the old one is retired
  const s2 = a.lastSlab!;
  assert.notEqual(s2, s1);
  assert.equal(a.stats().quarantined, 1);
  p2.fill(7);
  a.take(400);
  a.take(400); // a third slab: the first still waits for the flush
  assert.notEqual(a.lastSlab, s1);
  assert.equal(p2[0], 7, "a retired slab is untouched until flushed()");
  a.flushed();
  assert.equal(a.stats().spare, 1);
  assert.equal(p2[0], POISON_BYTE, "poisoned once reusable");
  a.release(s2);
  a.release(s2);
  a.take(700);
  assert.equal(a.lastSlab, s1, "the spare slab is reused");
  assert.equal(a.stats().reused, 1);
  assert.equal(a.stats().slabs, 3);
});

test("without quarantine a slab is reusable as soon as it is full and released; big pieces get a buffer of their own", () => {
  const a = new PacketArena({ slabBytes: 1000, maxPiece: 600, quarantine: false });
  a.take(600);
  const s1 = a.lastSlab!;
  a.take(600);
  a.release(s1);
  assert.equal(a.stats().spare, 1);
  const big = a.take(601);
  assert.equal(a.lastSlab, null, "over maxPiece");
  assert.equal(big.length, 601);
  assert.equal(new PacketArena({ slabBytes: 1000 }).maxPiece, 500, "half a slab by default");
  assert.equal(a.stats().oversize, 1);
});

test("spare slabs are kept up to max(minSpare, slabs in use); the rest are let go", () => {
  const a = new PacketArena({ slabBytes: 100, maxPiece: 100, quarantine: false, minSpare: 1 });
  const slabs = [];
  for (let i = 0; i < 6; i++) {
    a.take(100);
    slabs.push(a.lastSlab!);
  }
  a.take(1); // seals the sixth
  for (const s of slabs) a.release(s);
  const st = a.stats();
  assert.ok(st.spare >= 1 && st.spare < 6, `spare ${st.spare}`);
  assert.equal(st.slabs, st.spare + 1, "the others were let go (the current one stays)");
});

test("property: a piece's bytes never change while it is held or waiting for a flush, whatever the order of takes and releases", () => {
  type Op = { k: "take"; n: number } | { k: "release"; i: number } | { k: "flush" };
  const op = fc.oneof(
    fc.record({ k: fc.constant("take" as const), n: fc.integer({ min: 0, max: 700 }) }),
    fc.record({ k: fc.constant("release" as const), i: fc.nat() }),
    fc.record({ k: fc.constant("flush" as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), fc.boolean(), (ops: Op[], quarantine) => {
      const a = new PacketArena({ slabBytes: 1024, quarantine, poison: true });
      let tag = 0;
      // Held pieces, and released ones that must stay intact until the next flush (quarantine).
      const held: { buf: Buffer; slab: ReturnType<() => typeof a.lastSlab>; tag: number }[] = [];
      let waiting: { buf: Buffer; tag: number }[] = [];
      const check = () => {
        for (const h of [...held, ...waiting]) assert.ok(h.buf.every((b) => b === h.tag));
      };
      for (const o of ops) {
        if (o.k === "take") {
          const buf = a.take(o.n);
          tag = (tag % 200) + 1;
          buf.fill(tag);
          held.push({ buf, slab: a.lastSlab, tag });
        } else if (o.k === "release" && held.length > 0) {
          const [h] = held.splice(o.i % held.length, 1);
          if (h!.slab) a.release(h!.slab);
          if (quarantine) waiting.push(h!);
        } else if (o.k === "flush") {
          a.flushed();
          waiting = [];
        }
        check();
      }
      assert.equal(a.stats().pieces, held.filter((h) => h.slab).length);
    }),
  );
});

test("a view a socket holds keeps its slab from reuse past flushed(); once let go the slab is retired once", () => {
  const a = new PacketArena({ slabBytes: 1000, maxPiece: 1000, poison: true });
  const p = a.take(600);
  const s1 = a.lastSlab!;
  p.fill(9);
  a.take(600); // s1 sealed
  a.release(s1); // evicted: retired, waiting for the flush
  const view = p.subarray(100, 200);
  assert.equal(a.hold(view), s1, "a view of a slab holds it");
  assert.equal(a.hold(Buffer.alloc(10)), null, "any other buffer: nothing to hold");
  a.flushed();
  assert.equal(a.stats().spare, 0, "held: not reusable");
  assert.equal(view[0], 9);
  a.release(s1); // the socket wrote it
  a.release(a.lastSlab!); // (the second piece's slab stays current)
  assert.equal(a.stats().quarantined, 1, "retired again, once");
  a.flushed();
  assert.equal(a.stats().spare, 1);
  assert.equal(view[0], POISON_BYTE);
  // Held and let go between two flushes: still one entry in the queue.
  const q = a.take(600); // seals the second slab (retired), reuses s1
  const s2 = a.lastSlab!;
  assert.equal(s2, s1);
  a.take(600); // seals s1: a third slab
  a.release(s2);
  a.release(a.hold(q)!);
  assert.equal(a.stats().quarantined, 2, "the second slab and s1, once each");
  a.flushed();
  assert.deepEqual([a.stats().spare, a.stats().slabs, a.stats().pieces], [2, 3, 1]);
});

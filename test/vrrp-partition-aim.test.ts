/**
 * The heal aiming of the partition tests (pickHeal): for any phase between the two masters' adverts,
 * the chosen heal time puts the asked-for master's advert first, and keeps a margin from every
 * predicted advert, so that a late timer or a slow `ip` cannot flip the order.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type HealPhase, pickHeal } from "./vrrp-partition-lab.js";

const next = (last: number, t: number) => last + Math.ceil((t - last) / 1000) * 1000;

test("pickHeal: the asked-for master's advert comes first, a third of the smaller phase gap from any advert", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1_000_000, max: 2_000_000 }),
      fc.integer({ min: 60, max: 940 }),
      fc.integer({ min: 0, max: 3000 }),
      fc.constantFrom<HealPhase>("winner first", "loser first"),
      (lastWinner, offset, lag, phase) => {
        const lastLoser = lastWinner + offset;
        const from = lastLoser + lag;
        const t = pickHeal(lastWinner, lastLoser, from, phase);
        const w = next(lastWinner, t + 1);
        const l = next(lastLoser, t + 1);
        assert.ok(phase === "winner first" ? w < l : l < w, `order for ${phase}`);
        const margin = Math.min(t - (Math.max(w, l) - 1000), Math.min(w, l) - t);
        const gap = Math.min(offset, 1000 - offset);
        assert.ok(margin >= gap / 3 - 5, `margin ${margin} ms with phase gap ${gap} ms`);
      },
    ),
  );
});

test("pickHeal: the case CI met (loser 610 ms after the winner) aims at the middle, not next to the winner's advert", () => {
  const t = pickHeal(10_000, 10_610, 10_700, "loser first");
  const w = next(10_000, t + 1) - 1000;
  assert.ok(t - w >= 250 && t - w <= 360, `heal ${t - w} ms after the winner's advert`);
});

/**
 * fast-check helpers shared by the codecs' fuzz tests: the input (random
 * bytes, or a known-good encoding with a few bytes overwritten, which reaches
 * deeper into a parser than noise does) and the property every decoder keeps
 * (it returns, or throws its own typed error, never anything else); for
 * config parsers, text made of their own keywords and noise.
 */
import fc from "fast-check";

export interface FuzzInputOptions {
  /** Longest random buffer (default 64). */
  maxLength?: number;
  /** Most bytes overwritten in a seed (default 4). */
  maxEdits?: number;
}

/** Random bytes, or one of `seeds` (copied) with up to `maxEdits` bytes set to random values. */
export function randomOrMutated(seeds: readonly Buffer[], o: FuzzInputOptions = {}): fc.Arbitrary<Buffer> {
  const { maxLength = 64, maxEdits = 4 } = o;
  const mutated = fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: maxEdits }),
    )
    .map(([seed, edits]) => {
      const b = Buffer.from(seed);
      for (const [i, v] of edits) b[i % b.length] = v;
      return b;
    });
  return fc.oneof(
    fc.uint8Array({ maxLength }).map((a) => Buffer.from(a)),
    mutated,
  );
}

/** A property body: `decode(input)` returns, or throws an instance of `errorClass`; any other throw fails it as is. */
export function raisesOnly<T>(
  // biome-ignore lint/suspicious/noExplicitAny: any error class, whatever its constructor takes
  errorClass: abstract new (...args: any[]) => Error,
  decode: (input: T) => unknown,
): (input: T) => void {
  return (input) => {
    try {
      decode(input);
    } catch (e) {
      if (!(e instanceof errorClass)) throw e;
    }
  };
}

/** Text made of up to `maxWords` of `words` and short random strings, joined by spaces: input a config parser mostly half-understands. */
export function wordSoup(words: readonly string[], maxWords = 40): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 3 })), { maxLength: maxWords })
    .map((p) => p.join(" "));
}

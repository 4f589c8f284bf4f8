/**
 * The options onair's node runs with: `npm start`, the `onair` bin's
 * shebang, the copy a daemonizing start spawns, the systemd unit of
 * docs/operations.md, the tests that run the CLI and the benchmarks all
 * use these.
 *
 * `--single-threaded`: V8 does all its work (optimizing compiler, garbage
 * collector) on the thread that serves, as an nginx worker does, instead of
 * on a pool of worker threads. Each of those threads mallocs from an arena
 * of its own, and what compiling and marking used there stays resident:
 * 3-13 KiB of RSS per player at 50-200 players, ~20 KiB at 10
 * (bench/rtmp-fanout.ts, runs P-R in docs/benchmarks.md). The price is that a
 * collection's marking is not done in parallel: with onair's heap (~10 MB)
 * a full collection pauses the loop for a few milliseconds, well within a
 * `flush_interval` tick.
 *
 * `--no-sparkplug`: no baseline machine code between V8's interpreter and
 * its optimizing compiler. Sparkplug compiles every function that has run a
 * little, and that code was most of V8's code space: ~300 KiB with one
 * stream, and another ~100 KiB when players join (heap statistics after a
 * full collection, 0 and 10 players). The hot paths are optimized by
 * TurboFan either way: CPU per delivered gigabit is the same (run V in
 * docs/benchmarks.md); serving files from disk over HTTP, a path that is
 * warm rather than hot, costs 2-4% more CPU per request (bench/http-rps.ts).
 *
 * `--no-short-builtin-calls`: V8's built-in functions run from node's
 * executable only. By default V8 maps them a second time next to the code
 * it generates, and optimized code calls that copy while the interpreter
 * calls the original, so each built-in both use is paged in twice (~0.8 MB
 * of the copy resident with one stream). Worse, the first optimized call
 * of a built-in pages in 64 KiB of the copy (the kernel's fault-around):
 * at the join of 10 players, `Array.prototype.push` from the newly
 * optimized GOP cache did, in 4 probes of 5 (perf, page-fault events).
 * Without the copy, optimized code calls the built-ins through the table
 * the interpreter uses, whose pages are already resident.
 *
 * `--interrupt-budget-factor-for-feedback-allocation=64`,
 * `--interrupt-budget-for-feedback-allocation=8000`: V8 gives a function its
 * feedback vector (the inline caches that later guide its optimization) once
 * it has run about 64 times its bytecode's length instead of 8, i.e. after
 * ~64 calls instead of ~8. Code run per connection (handshake, connect,
 * play, `net`'s socket setup) then keeps no feedback until 64 connections
 * have used it: in heap snapshots, the live heap added when 10 players join
 * a fresh server fell from 123 to 94 KiB (feedback vectors 29 -> 9 KiB, and
 * fewer load handlers and maps), and from 61 to 52 KiB after 10 players had
 * come and gone one at a time; with one stream the heap is 37-77 KiB
 * smaller. Hot paths reach 64 calls within the first second. In the
 * benchmark's rounds of 10 players (runs E4 and F2, docs/benchmarks.md
 * session 10): 9.6 KiB of RSS per player over 8 rounds, against 12.4
 * over 7 without (runs E3 and F3; one more F3 round read -34.6), for the
 * same CPU.
 *
 * `--max-semi-space-size=1`: V8's young generation keeps the 1 MiB
 * semi-spaces it starts with and never grows them. After each collection
 * V8 chooses whether to shrink the young generation, which also gives back
 * the semi-space it just emptied (~0.7 MiB resident at onair's allocation
 * rate), or to grow it. It shrinks when little is allocated (onair: well
 * under V8's 1 MB/s) and grows when more than the young generation's size
 * has survived since it last grew; when both hold it does neither, and the
 * emptied semi-space stays resident for a whole cycle (~12 s). The
 * collection after 10 players join often is such a case
 * (`--trace-gc-verbose`: new space committed 2048 KB instead of 1024 after
 * the memory reducer's collection in 3 of 5 probes; RSS per player 22, 0.3
 * against -13 to -10 in the other two), as is, now and then, a collection
 * with the publisher alone: which cycle it hit made the benchmark's rounds
 * of 10 read ~0 or ~32 KiB per player (docs/benchmarks.md, session 12).
 * With the growth capped, the join's case is gone: in 3 probes and 2
 * traced benchmark rounds every collection after the join left 1024 KB
 * committed. V8 still keeps the semi-space now and then for its other
 * reason (the allocation rate it measured was not low: once in one
 * round's baseline, with the publisher alone), so single rounds still
 * move, but as much before the join as after. Scavenges come no more often
 * at onair's rates (one every ~12 s with a publisher and 10 players); under
 * a high allocation rate (HTTP at tens of thousands of requests a second)
 * they come more often: bench/http-rps.ts, session 12 in docs/benchmarks.md.
 * Since session 14 the RTMP server also collects the young generation
 * itself once it holds 256 KiB (engine/memory-reducer.ts), so its resident
 * part stays under ~0.3 MB between V8's own collections.
 */
export const NODE_FLAGS: readonly string[] = [
  "--single-threaded",
  "--no-sparkplug",
  "--no-short-builtin-calls",
  "--interrupt-budget-factor-for-feedback-allocation=64",
  "--interrupt-budget-for-feedback-allocation=8000",
  "--max-semi-space-size=1",
];

/** `execArgv` plus whichever of NODE_FLAGS it lacks (a daemonizing start's copy runs as shipped). */
export function withNodeFlags(execArgv: readonly string[]): string[] {
  return [...execArgv, ...NODE_FLAGS.filter((f) => !execArgv.includes(f))];
}

/**
 * A recorder that cannot write stops recording that stream with one log line
 * (stream, path, reason) while the other consumers of the stream (here a
 * counting sink standing in for the live fan-out and HLS) keep receiving
 * every message. The cut file is left valid up to its last whole tag.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import type { RtmpApplicationConfig } from "../src/config/types.js";
import { FakeClock } from "../src/engine/clock.js";
import type { MediaKind, MediaSink } from "../src/engine/media-sink.js";
import { decodeAmf0 } from "../src/protocol/amf/index.js";
import { readFlvTags } from "../src/protocol/flv/flv-file.js";
import { RecordService } from "../src/server/record/record-service.js";
import { memoryLogger } from "../src/util/logger.js";
import { sleep, tempDir } from "./helpers/env.js";
import { makeMedia } from "./helpers/media.js";

const KINDS: Record<number, MediaKind> = { 8: "audio", 9: "video", 18: "data" };

function app(dir: string): RtmpApplicationConfig {
  return {
    name: "live",
    record: ["all"],
    recordPath: dir,
    recordSuffix: ".flv",
    recordUnique: false,
    recordAppend: false,
    recordMaxSize: null,
    recordMaxFrames: null,
    recordInterval: null,
  } as unknown as RtmpApplicationConfig;
}

/** Mounts a tmpfs of `size` on a new folder (unmounted at test end); null when mounting is not allowed here. */
function smallDisk(t: TestContext, size: string, extra = ""): string | null {
  const root = mkdtempSync(join(tmpdir(), "onair-rec-full-"));
  const dir = join(root, "disk");
  mkdirSync(dir);
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}${extra}`, "tmpfs", dir], {
    encoding: "utf8",
  });
  t.after(() => {
    if (r.status === 0) spawnSync("umount", ["-l", dir]);
    rmSync(root, { recursive: true, force: true });
  });
  return r.status === 0 ? dir : null;
}

/** Feeds the media to the recorder and a counting sink, interleaved as the live engine does. */
async function publish(svc: RecordService, a: RtmpApplicationConfig, media: string, clock: FakeClock) {
  const rec = svc.sinkFor(a, "cam1");
  assert.ok(rec);
  let other = 0;
  const live: MediaSink = { start() {}, message: () => void other++, stop() {} };
  const sinks = [rec, live];
  let sent = 0;
  for (const s of sinks) s.start({ app: "live", name: "cam1" });
  for (const tag of readFlvTags(readFileSync(media))) {
    const kind = KINDS[tag.type];
    if (!kind) continue;
    if (tag.timestamp > clock.now()) clock.advance(tag.timestamp - clock.now());
    // the engine calls each sink in turn; none may throw or block
    for (const s of sinks) s.message(kind, tag.timestamp, tag.body);
    sent++;
    if (sent % 50 === 0) await sleep(5); // let the disk writes run, as real time would
  }
  for (const s of sinks) s.stop();
  await svc.quit();
  return { sent, other };
}

function checkCutFile(file: string): void {
  const p = spawnSync("ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"], { encoding: "utf8" });
  assert.equal(p.status, 0, p.stderr);
  assert.equal(p.stderr.trim(), "", `ffmpeg decoding the cut file: ${p.stderr}`);
  let n = 0;
  for (const _ of readFlvTags(readFileSync(file))) n++; // throws on a torn tag or bad back-pointer
  assert.ok(n > 10);
  const meta = decodeAmf0(readFlvTags(readFileSync(file)).next().value!.body)[1] as Record<string, number>;
  assert.equal(meta.filesize, statSync(file).size, "filesize patched to the cut size");
  assert.ok(meta.duration > 0.2, `duration ${meta.duration}`);
}

test("a full disk stops the recording with one log line; the live stream goes on", async (t: TestContext) => {
  const dir = smallDisk(t, "300k");
  if (!dir) {
    t.skip("cannot mount a tmpfs here (not root?)");
    return;
  }
  const media = makeMedia({ seconds: 10, gop: 2 });
  const clock = new FakeClock();
  const log = memoryLogger();
  const svc = new RecordService({ log, clock });
  const { sent, other } = await publish(svc, app(dir), media, clock);
  assert.equal(other, sent, "the other sink got every message");
  const errors = log.lines.filter((l) => l.startsWith("[error]"));
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0]!, /'live\/cam1' stopped recording: write .*cam1\.flv failed: .*ENOSPC/);
  const files = readdirSync(dir);
  assert.deepEqual(files, ["cam1.flv"]);
  checkCutFile(join(dir, "cam1.flv"));
  assert.equal(svc.openFiles, 0);
  t.diagnostic(errors[0]!);
});

test("a read-only record_path logs once and records nothing; the live stream goes on", async (t: TestContext) => {
  const dir = smallDisk(t, "300k", ",ro");
  if (!dir) {
    t.skip("cannot mount a tmpfs here (not root?)");
    return;
  }
  const media = makeMedia({ seconds: 3, gop: 1 });
  const clock = new FakeClock();
  const log = memoryLogger();
  const svc = new RecordService({ log, clock });
  const { sent, other } = await publish(svc, app(dir), media, clock);
  assert.equal(other, sent);
  const errors = log.lines.filter((l) => l.startsWith("[error]"));
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0]!, /'live\/cam1' stopped recording: open .*cam1\.flv failed: .*EROFS/);
  assert.deepEqual(readdirSync(dir), []);
});

test("a write queue over its bound drops the recording, never the stream", async (t: TestContext) => {
  const dir = tempDir(t, "onair-rec-q-");
  const media = makeMedia({ seconds: 10, gop: 2 });
  const clock = new FakeClock();
  const log = memoryLogger();
  // a tiny bound and no pauses: the queue overflows before the disk catches up
  const svc = new RecordService({ log, clock, maxQueueBytes: 64 * 1024 });
  const rec = svc.sinkFor(app(dir), "cam1")!;
  rec.start({ app: "live", name: "cam1" });
  let n = 0;
  for (const tag of readFlvTags(readFileSync(media))) {
    const kind = KINDS[tag.type];
    if (kind) rec.message(kind, tag.timestamp, tag.body);
    n++;
  }
  rec.stop();
  await svc.quit();
  assert.ok(n > 600);
  const errors = log.lines.filter((l) => l.startsWith("[error]"));
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0]!, /write queue over 65536 bytes/);
  const file = join(dir, "cam1.flv");
  // whatever reached the disk is a valid file
  if (statSync(file, { throwIfNoEntry: false })) {
    for (const _ of readFlvTags(readFileSync(file)));
  }
});

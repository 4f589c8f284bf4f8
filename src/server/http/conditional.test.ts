import assert from "node:assert/strict";
import { test } from "node:test";
import { etagListMatches, evaluateConditionals, ifRangeAllows, makeEtag } from "./conditional.js";

const mtimeSec = 1_700_000_000;
const v = { mtimeSec, etag: makeEtag(mtimeSec * 1000 + 123, 1234) };
const lm = new Date(mtimeSec * 1000).toUTCString();

test('ETag is nginx\'s "mtime_hex-size_hex"', () => {
  assert.equal(v.etag, `"${mtimeSec.toString(16)}-4d2"`);
});

test("If-None-Match and If-Modified-Since as nginx (exact)", () => {
  assert.equal(evaluateConditionals({}, v), 200);
  assert.equal(evaluateConditionals({ "if-none-match": v.etag }, v), 304);
  assert.equal(evaluateConditionals({ "if-none-match": `W/${v.etag}` }, v), 304);
  assert.equal(evaluateConditionals({ "if-none-match": `"x", ${v.etag}` }, v), 304);
  assert.equal(evaluateConditionals({ "if-none-match": "*" }, v), 304);
  assert.equal(evaluateConditionals({ "if-none-match": '"other"' }, v), 200);
  assert.equal(evaluateConditionals({ "if-modified-since": lm }, v), 304);
  const later = new Date((mtimeSec + 10) * 1000).toUTCString();
  assert.equal(evaluateConditionals({ "if-modified-since": later }, v), 200, "exact, not 'before'");
  assert.equal(evaluateConditionals({ "if-modified-since": "garbage" }, v), 200);
  assert.equal(evaluateConditionals({ "if-modified-since": lm, "if-none-match": '"other"' }, v), 200);
});

test("If-Match and If-Unmodified-Since → 412", () => {
  assert.equal(evaluateConditionals({ "if-match": '"other"' }, v), 412);
  assert.equal(evaluateConditionals({ "if-match": v.etag }, v), 200);
  assert.equal(evaluateConditionals({ "if-match": `W/${v.etag}` }, v), 412, "strong comparison");
  const before = new Date((mtimeSec - 10) * 1000).toUTCString();
  assert.equal(evaluateConditionals({ "if-unmodified-since": before }, v), 412);
  assert.equal(evaluateConditionals({ "if-unmodified-since": lm }, v), 200);
  assert.ok(!etagListMatches('"a"', '"b"', true));
});

test("If-Range", () => {
  assert.ok(ifRangeAllows({}, v));
  assert.ok(ifRangeAllows({ "if-range": v.etag }, v));
  assert.ok(!ifRangeAllows({ "if-range": '"old"' }, v));
  assert.ok(ifRangeAllows({ "if-range": lm }, v));
  assert.ok(!ifRangeAllows({ "if-range": "Mon, 01 Jan 2001 00:00:00 GMT" }, v));
});

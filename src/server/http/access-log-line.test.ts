import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeLogValue, formatCombined, timeLocal } from "./access-log-line.js";

test("combined line", () => {
  const time = new Date(2026, 10, 25, 17, 20, 27);
  const line = formatCombined({
    remoteAddr: "::ffff:127.0.0.1",
    time,
    request: "GET /hls/test.m3u8 HTTP/1.1",
    status: 200,
    bodyBytesSent: 512,
    userAgent: 'curl/7.88 "x"',
  });
  assert.equal(
    line,
    `127.0.0.1 - - [${timeLocal(time)}] "GET /hls/test.m3u8 HTTP/1.1" 200 512 "-" "curl/7.88 \\x22x\\x22"`,
  );
  assert.match(timeLocal(time), /^25\/Nov\/2026:17:20:27 [+-]\d{4}$/);
  assert.equal(escapeLogValue("a\nb\\\xe9"), "a\\x0Ab\\x5C\\xE9");
});

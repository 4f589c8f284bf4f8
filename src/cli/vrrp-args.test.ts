import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_KEEPALIVED_CONF, parseVrrpArgs, VrrpArgsError } from "./vrrp-args.js";

test("keepalived's short and long options", () => {
  assert.equal(parseVrrpArgs([]).configFile, DEFAULT_KEEPALIVED_CONF);
  const a = parseVrrpArgs(["-nlD", "-f", "/x.conf", "-t"]);
  assert.deepEqual(
    [a.dontFork, a.logConsole, a.logDetail, a.test, a.configFile],
    [true, true, true, true, "/x.conf"],
  );
  assert.equal(parseVrrpArgs(["-f/y.conf"]).configFile, "/y.conf");
  assert.equal(parseVrrpArgs(["--use-file=/z.conf"]).configFile, "/z.conf");
  assert.equal(parseVrrpArgs(["--use-file", "/w.conf", "--config-test"]).test, true);
  assert.equal(parseVrrpArgs(["--dont-fork", "--log-console", "--log-detail"]).logDetail, true);
});

test("unknown vrrp options are errors", () => {
  for (const argv of [["-x"], ["--foo"], ["-f"], ["plain"], ["--use-file"]]) {
    assert.throws(() => parseVrrpArgs(argv), VrrpArgsError, argv.join(" "));
  }
});

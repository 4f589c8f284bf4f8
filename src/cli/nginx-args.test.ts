import assert from "node:assert/strict";
import { test } from "node:test";
import { ArgsError, parseNginxArgs } from "./nginx-args.js";

test("flags group and values glue as in nginx", () => {
  const a = parseNginxArgs(["-tq", "-c/etc/x.conf", "-p", "/srv", "-g", "daemon off;"]);
  assert.equal(a.test, true);
  assert.equal(a.quiet, true);
  assert.equal(a.configFile, "/etc/x.conf");
  assert.equal(a.prefix, "/srv");
  assert.equal(a.directives, "daemon off;");
});

test("-T implies -t; -V implies -v; -h and -? show help and version", () => {
  assert.deepEqual(
    [parseNginxArgs(["-T"]).test, parseNginxArgs(["-T"]).dump, parseNginxArgs(["-V"]).version],
    [true, true, true],
  );
  for (const h of ["-h", "-?"]) {
    const a = parseNginxArgs([h]);
    assert.equal(a.help && a.version, true);
  }
});

test("-s takes the four nginx signals", () => {
  for (const s of ["stop", "quit", "reload", "reopen"] as const) {
    assert.equal(parseNginxArgs(["-s", s]).signal, s);
    assert.equal(parseNginxArgs([`-s${s}`]).signal, s);
  }
});

const errors: [string[], string][] = [
  [["-x"], 'invalid option: "x"'],
  [["-tx"], 'invalid option: "x"'],
  [["foo"], 'invalid option: "foo"'],
  [["-s", "restart"], 'invalid option: "-s restart"'],
  [["-s"], 'option "-s" requires parameter'],
  [["-c"], 'option "-c" requires file name'],
  [["-e"], 'option "-e" requires file name'],
  [["-p"], 'option "-p" requires directory name'],
  [["-g"], 'option "-g" requires parameter'],
];

for (const [argv, message] of errors) {
  test(`nginx's error for ${argv.join(" ")}`, () => {
    assert.throws(
      () => parseNginxArgs(argv),
      (e: unknown) => e instanceof ArgsError && e.message === message,
    );
  });
}

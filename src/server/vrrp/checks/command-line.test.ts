import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { OnairError } from "../../../util/errors.js";
import { needsShell, shellQuote, splitCommandLine } from "./command-line.js";

const table: { name: string; line: string; argv: string[] }[] = [
  { name: "guide's script", line: "/usr/local/bin/check_nginx.sh", argv: ["/usr/local/bin/check_nginx.sh"] },
  { name: "arguments on blanks", line: "/bin/check  a\tb ", argv: ["/bin/check", "a", "b"] },
  { name: "single quotes group", line: "/bin/c 'two words' x", argv: ["/bin/c", "two words", "x"] },
  { name: "double quotes group", line: "/bin/c \"a 'b' c\"", argv: ["/bin/c", "a 'b' c"] },
  { name: "quotes inside a word", line: "/bin/c ab'c d'ef", argv: ["/bin/c", "abc def"] },
  { name: "backslash escapes a blank", line: "/bin/c a\\ b", argv: ["/bin/c", "a b"] },
  { name: "C escapes", line: "/bin/c \\t\\n\\101", argv: ["/bin/c", "\t\nA"] },
  { name: "killall -0", line: "killall -0 nginx", argv: ["killall", "-0", "nginx"] },
  { name: "empty quoted word", line: "/bin/c '' x", argv: ["/bin/c", "", "x"] },
];

for (const row of table) {
  test(`splitCommandLine: ${row.name}`, () => {
    assert.deepEqual(splitCommandLine(row.line), row.argv);
  });
}

test("splitCommandLine rejects an unmatched quote, an empty line and an oversized one", () => {
  assert.throws(
    () => splitCommandLine("/bin/c 'oops"),
    (e: OnairError) => e.code === "ONAIR_VRRP_SCRIPT_PARSE",
  );
  assert.throws(
    () => splitCommandLine("   "),
    (e: OnairError) => e.code === "ONAIR_VRRP_SCRIPT_PARSE",
  );
  assert.throws(() => splitCommandLine(`/bin/${"x".repeat(2000)}`), OnairError);
});

test("the </dev/tcp idiom goes through the shell, quoted as keepalived's cmd_str", () => {
  const argv = splitCommandLine("</dev/tcp/127.0.0.1/80");
  assert.equal(needsShell(argv), true);
  assert.equal(needsShell(["/bin/x"]), false);
  assert.equal(shellQuote(argv), "</dev/tcp/127.0.0.1/80");
  assert.equal(shellQuote(["/bin/c", "it's"]), "'/bin/c' 'it'\\''s'");
});

test("fuzz: splitCommandLine never throws anything but OnairError, and quoted argv round-trips", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      try {
        splitCommandLine(s);
      } catch (e) {
        return e instanceof OnairError;
      }
      return true;
    }),
  );
  const word = fc.string({ minLength: 1, maxLength: 12 }).filter((w) => !w.includes("\\"));
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (argv) => {
      const line = argv.map((a) => `'${a.replaceAll("'", "'\"'\"'")}'`).join(" ");
      assert.deepEqual(splitCommandLine(line), argv);
    }),
  );
});

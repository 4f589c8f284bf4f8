import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { configErrorMessage as problem } from "../../test/helpers/config-errors.js";
import { parseConfigText } from "./block-parser.js";
import { ConfigError } from "./config-error.js";
import { type LexMode, MAX_TOKEN_LENGTH, type Token, tokenize, unescapeNginx } from "./lexer.js";

const F = "/etc/onair/test.conf";
const brief = (ts: Token[]) => ts.map((t) => `${t.line}:${t.kind === "word" ? t.value : t.kind}`);

test("nginx mode: words, separators, comments and exact lines", () => {
  const text = "# head\nworker_processes  auto;\nevents {\n  worker_connections 1024; # c\n}\n";
  assert.deepEqual(brief(tokenize(text, F)), [
    "2:worker_processes",
    "2:auto",
    "2:;",
    "3:events",
    "3:{",
    "4:worker_connections",
    "4:1024",
    "4:;",
    "5:}",
  ]);
});

test("nginx mode: quotes, escapes, # inside a word, $-brace variables, } inside a word", () => {
  const ts = tokenize(`a "b c" 'd\\'e' "x\\ty" f#g \${h}i j};`, F);
  assert.deepEqual(
    ts.map((t) => t.value),
    ["a", "b c", "d'e", "x\ty", "f#g", `\${h}i`, "j}", ";"],
  );
  assert.equal(ts[1].quoted, true);
  assert.equal(ts[0].quoted, false);
  // A quoted brace is a word, not a block.
  assert.deepEqual(
    tokenize('add_header X "{";', F).map((t) => t.kind),
    ["word", "word", "word", ";"],
  );
  // A quoted string may span lines; the next token's line counts them.
  assert.deepEqual(brief(tokenize('a "b\nc"\n;', F)), ["1:a", "2:b\nc", "3:;"]);
});

test("nginx's unescaping: only \\\" \\' \\\\ \\t \\r \\n are special", () => {
  assert.equal(unescapeNginx("a\\\\b"), "a\\b");
  assert.equal(unescapeNginx("a\\x"), "a\\x");
  assert.equal(unescapeNginx("\\n\\r"), "\n\r");
  assert.equal(unescapeNginx("end\\"), "end\\");
});

test("nginx mode errors carry nginx's wording and the current line", () => {
  assert.equal(
    problem(() => tokenize("a;\n;", F)),
    `unexpected ";" in ${F}:2`,
  );
  assert.equal(
    problem(() => tokenize("{", F)),
    `unexpected "{" in ${F}:1`,
  );
  assert.equal(
    problem(() => tokenize("a b }", F)),
    `unexpected "}" in ${F}:1`,
  );
  assert.equal(
    problem(() => tokenize('a "b"c;', F)),
    `unexpected "c" in ${F}:1`,
  );
  assert.equal(
    problem(() => tokenize('a "b\n\n', F)),
    `unexpected end of file, expecting ";" or "}" in ${F}:3`,
  );
  assert.equal(
    problem(() => tokenize("a b", F)),
    `unexpected end of file, expecting ";" or "}" in ${F}:1`,
  );
  assert.equal(
    problem(() => tokenize(`a ${"x".repeat(MAX_TOKEN_LENGTH + 10)};`, F)),
    `too long parameter "xxxxxxxxxx..." started in ${F}:1`,
  );
  assert.equal(
    problem(() => tokenize(`a "${"x".repeat(MAX_TOKEN_LENGTH + 10)}";`, F)),
    `too long parameter, probably missing terminating """ character in ${F}:1`,
  );
  assert.equal(
    problem(() => tokenize("daemon off", "command line")),
    'unexpected end of parameter, expecting ";" in command line',
  );
});

test("keepalived mode: one statement a line, braces are tokens, # and ! comments", () => {
  const text =
    'vrrp_instance VI_1 {\n  auth_pass a;b ! c\n  virtual_ipaddress { 1.2.3.4 }\n  script "/bin/x y" # z\n}\n';
  assert.deepEqual(brief(tokenize(text, F, "keepalived")), [
    "1:vrrp_instance",
    "1:VI_1",
    "1:{",
    "2:auth_pass",
    "2:a;b",
    "2:;",
    "3:virtual_ipaddress",
    "3:{",
    "3:1.2.3.4",
    "3:}",
    "4:script",
    "4:/bin/x y",
    "4:;",
    "5:}",
  ]);
  assert.equal(
    problem(() => tokenize('script "/bin/x\n', F, "keepalived")),
    `unexpected end of line, expecting closing '"' in ${F}:1`,
  );
});

test("keepalived mode: a block may open on the next line", () => {
  const tree = parseConfigText("vrrp_script s\n{\n  script x\n}\n", F, { mode: "keepalived" });
  assert.equal(tree.length, 1);
  assert.equal(tree[0].name, "vrrp_script");
  assert.deepEqual(tree[0].args, ["s"]);
  assert.equal(tree[0].block?.[0].name, "script");
});

test("directive positions are the line of the terminator, as nginx reports", () => {
  const tree = parseConfigText("a\n b\n c;\nd {\n}\n", F, { mode: "nginx" });
  assert.deepEqual(
    tree.map((d) => [d.name, d.args, d.line, d.terminator]),
    [
      ["a", ["b", "c"], 3, ";"],
      ["d", [], 4, "{"],
    ],
  );
});

const ONLY_CONFIG_ERRORS = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
};

const configish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "a",
        "b",
        " ",
        "\n",
        ";",
        "{",
        "}",
        "#",
        "!",
        '"',
        "'",
        "\\",
        "$",
        "\t",
        "x y",
        "include",
      ),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(""));

test("property: the lexer and tree builder throw nothing but ConfigError (text)", () => {
  fc.assert(
    fc.property(configish, fc.constantFrom<LexMode>("nginx", "keepalived"), (text, mode) => {
      ONLY_CONFIG_ERRORS(() => tokenize(text, F, mode));
      ONLY_CONFIG_ERRORS(() => parseConfigText(text.replaceAll("include", "inc"), F, { mode }));
    }),
    { numRuns: 3000 },
  );
});

test("property: the lexer throws nothing but ConfigError (random bytes)", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom<LexMode>("nginx", "keepalived"),
      (bytes, mode) => {
        ONLY_CONFIG_ERRORS(() => tokenize(Buffer.from(bytes).toString("utf8"), F, mode));
      },
    ),
    { numRuns: 3000 },
  );
});

test("property: tokens never lose a line: lines are non-decreasing and within the text", () => {
  fc.assert(
    fc.property(configish, (text) => {
      let ts: Token[];
      try {
        ts = tokenize(text, F);
      } catch {
        return;
      }
      const lines = text.split("\n").length;
      let prev = 1;
      for (const t of ts) {
        assert.ok(t.line >= prev && t.line <= lines);
        prev = t.line;
      }
    }),
    { numRuns: 2000 },
  );
});

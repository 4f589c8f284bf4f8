import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { printNginxConfig, quoteNginx } from "./nginx-printer.js";
import { parseNginxConfigText } from "./nginx-schema.js";
import { formatSize, formatTime } from "./nginx-values.js";
import type { NginxConfig } from "./types.js";

const opts = { prefix: "/srv/onair" };

/** The config without what depends on where the text came from (positions, file name). */
export function comparable(c: unknown): unknown {
  return JSON.parse(
    JSON.stringify(c, (k, v) =>
      k === "pos" || k === "file" || k === "files" ? undefined : v instanceof Map ? [...v] : v,
    ),
  );
}

// ---- generators of valid nginx-style text (so every generated config is one a user can write)

const anyText = fc.string({
  unit: fc.constantFrom("a", "B", "/", " ", '"', "'", "\\", "t", "{", ";", "#", "$", "é", "\n", ".", "-"),
  maxLength: 12,
});
const word = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
const q = (s: string) => quoteNginx(s);
const flag = fc.constantFrom("on", "off");
const time = fc.integer({ min: 1, max: 10_000_000 }).map(formatTime);
const size = fc.integer({ min: 0, max: 2 ** 33 }).map(formatSize);
const ip = fc.oneof(
  fc.ipV4(),
  fc.ipV4().map((a) => `${a}/24`),
  fc.constant("all"),
  fc.constant("::1"),
);

/** Zero or more distinct optional directives, each at most once. */
function some(options: [string, fc.Arbitrary<string>][]): fc.Arbitrary<string> {
  return fc
    .tuple(
      ...options.map(([name, arb]) =>
        fc.option(
          arb.map((v) => `${name} ${v};`),
          { nil: "" },
        ),
      ),
    )
    .map((xs) => xs.filter(Boolean).join("\n"));
}

const appDirectives = fc
  .tuple(
    some([
      ["live", flag],
      [
        "record",
        fc
          .subarray(["all", "audio", "video", "keyframes", "manual"], { minLength: 1 })
          .map((a) => a.join(" ")),
      ],
      ["record_path", anyText.map(q)],
      ["record_suffix", anyText.map(q)],
      ["record_unique", flag],
      ["record_append", flag],
      ["record_max_size", size],
      ["record_max_frames", fc.nat().map(String)],
      ["record_interval", time],
      ["hls", flag],
      ["hls_path", anyText.map(q)],
      ["hls_fragment", time],
      ["hls_playlist_length", time],
    ]),
    some([
      ["hls_max_fragment", time],
      ["hls_nested", flag],
      ["hls_cleanup", flag],
      ["hls_continuous", flag],
      ["hls_fragment_naming", fc.constantFrom("sequential", "timestamp", "system")],
      ["hls_endlist", flag],
      ["drop_idle_publisher", time],
      ["publish_replace", flag],
      ["gop_cache_size", size],
    ]),
    fc.array(fc.tuple(fc.constantFrom("allow", "deny"), fc.constantFrom("publish", "play"), ip), {
      maxLength: 3,
    }),
  )
  .map(([a, b, rules]) => [a, b, ...rules.map((r) => `${r.join(" ")};`)].join("\n"));

const serverDirectives = some([
  ["chunk_size", fc.integer({ min: 128, max: 16_777_215 }).map(String)],
  ["ping", time],
  ["ping_timeout", time],
  ["timeout", time],
  ["max_connections", fc.nat().map(String)],
  ["max_message", size],
]);

const listen = fc.oneof(
  fc.integer({ min: 1, max: 65535 }).map(String),
  fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
);

const rtmpBlock = fc
  .tuple(
    appDirectives,
    fc.array(
      fc.tuple(
        fc.array(listen, { maxLength: 2 }),
        serverDirectives,
        appDirectives,
        fc.uniqueArray(word, { maxLength: 3 }),
        fc.array(appDirectives, { minLength: 3, maxLength: 3 }),
      ),
      { maxLength: 2 },
    ),
    fc.option(
      fc.integer({ min: 0, max: 1000 }).map((ms) => `flush_interval ${formatTime(ms)};\n`),
      { nil: "" },
    ),
  )
  .map(
    ([top, servers, flush]) =>
      `rtmp {\n${flush}${top}\n${servers
        .map(
          ([ls, sd, ad, names, apps]) =>
            `server {\n${ls.map((l) => `listen ${l};`).join("\n")}\n${sd}\n${ad}\n${names
              .map((n, i) => `application ${n} {\n${apps[i]}\n}`)
              .join("\n")}\n}`,
        )
        .join("\n")}\n}`,
  );

const typesBlock = fc
  .array(
    fc.tuple(fc.stringMatching(/^[a-z]+\/[a-z0-9.+-]+$/), fc.array(word, { minLength: 1, maxLength: 3 })),
    {
      maxLength: 4,
    },
  )
  .map((ts) => `types {\n${ts.map(([m, exts]) => `${m} ${exts.join(" ")};`).join("\n")}\n}`);

const header = fc
  .tuple(word, anyText, fc.boolean())
  .map(([n, v, always]) => `add_header ${n} ${q(v)}${always ? " always" : ""};`);

const rootOrAlias = (names: string[]) =>
  fc.option(
    fc.tuple(fc.constantFrom(...names), anyText).map(([n, t]) => `${n} ${q(t)};`),
    { nil: "" },
  );

const level = (names: string[]) =>
  fc
    .tuple(
      fc.option(typesBlock, { nil: "" }),
      fc.option(
        anyText.map((t) => `default_type ${q(t)};`),
        { nil: "" },
      ),
      rootOrAlias(names),
      fc.option(
        fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => `index ${w.join(" ")};`),
        { nil: "" },
      ),
      fc.array(header, { maxLength: 2 }),
    )
    .map(([t, d, r, i, h]) => [t, d, r, i, ...h].join("\n"));
const httpLevel = level(["root"]);

const location = fc
  .tuple(fc.constantFrom("", "= ", "^~ "), level(["root", "alias"]))
  .map(([mod, body]) => ({ mod, body }));

const httpBlock = fc
  .tuple(
    httpLevel,
    some([
      ["sendfile", flag],
      ["keepalive_timeout", time],
      [
        "access_log",
        fc.oneof(
          fc.constant("off"),
          anyText.map((t) => `${q(t)} combined`),
        ),
      ],
    ]),
    fc.array(
      fc.tuple(
        fc.array(listen, { maxLength: 2 }),
        fc.array(word, { maxLength: 2 }),
        httpLevel,
        fc.uniqueArray(fc.stringMatching(/^\/[a-z]{0,6}$/), { maxLength: 3 }),
        fc.array(location, { minLength: 3, maxLength: 3 }),
      ),
      { maxLength: 2 },
    ),
  )
  .map(
    ([top, misc, servers]) =>
      `http {\n${top}\n${misc}\n${servers
        .map(
          ([ls, names, body, paths, locs]) =>
            `server {\n${ls.map((l) => `listen ${l};`).join("\n")}\n${
              names.length ? `server_name ${names.join(" ")};` : ""
            }\n${body}\n${paths.map((p, i) => `location ${locs[i].mod}${q(p)} {\n${locs[i].body}\n}`).join("\n")}\n}`,
        )
        .join("\n")}\n}`,
  );

const mainBlock = some([
  ["worker_processes", fc.oneof(fc.constant("auto"), fc.integer({ min: 1, max: 64 }).map(String))],
  ["pid", anyText.map(q)],
  ["daemon", flag],
  ["master_process", flag],
]);

const configText = fc
  .tuple(
    mainBlock,
    fc.array(
      fc.tuple(
        anyText,
        fc.constantFrom("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"),
      ),
      { maxLength: 2 },
    ),
    fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: null }),
    fc.option(rtmpBlock, { nil: "" }),
    fc.option(httpBlock, { nil: "" }),
  )
  .map(
    ([m, logs, wc, rtmp, http]) =>
      `${m}\n${logs.map(([p, l]) => `error_log ${q(p)} ${l};`).join("\n")}\n${
        wc === null ? "" : `events { worker_connections ${wc}; }`
      }\n${rtmp}\n${http}\n`,
  );

test("property: print(parse(text)) parses back to the same config", () => {
  fc.assert(
    fc.property(configText, (text) => {
      let cfg: NginxConfig;
      try {
        cfg = parseNginxConfigText(text, "/etc/onair/a.conf", opts);
      } catch (e) {
        throw new Error(`generated text did not parse: ${(e as Error).message}\n${text}`);
      }
      const printed = printNginxConfig(cfg);
      const again = parseNginxConfigText(printed, "/tmp/elsewhere/b.conf", opts);
      assert.deepEqual(comparable(again), comparable(cfg));
      // And printing is stable.
      assert.equal(printNginxConfig(again), printed);
    }),
    { numRuns: 300 },
  );
});

test("quoteNginx leaves plain words bare and quotes the rest so the lexer reads them back", () => {
  assert.equal(quoteNginx("/var/www/html"), "/var/www/html");
  assert.equal(quoteNginx("*"), "*");
  assert.equal(quoteNginx("a b"), '"a b"');
  assert.equal(quoteNginx('say "hi"\\'), '"say \\"hi\\"\\\\"');
  assert.equal(quoteNginx(""), '""');
});

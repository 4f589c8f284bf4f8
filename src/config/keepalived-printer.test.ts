import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { printKeepalivedConfig, quoteKeepalived } from "./keepalived-printer.js";
import { parseKeepalivedConfigText } from "./keepalived-schema.js";
import type { KeepalivedConfig } from "./types.js";

/** The config without positions, file names and warnings (they depend on where the text came from). */
function comparable(c: KeepalivedConfig): unknown {
  return JSON.parse(
    JSON.stringify({ ...c, warnings: [] }, (k, v) =>
      k === "pos" || k === "file" ? undefined : v instanceof Map ? [...v] : v,
    ),
  );
}

const text = fc.string({
  unit: fc.constantFrom("a", "Z", "/", " ", "#", "!", "{", "}", ";", "'", "\\", "é", "-", "."),
  maxLength: 12,
});
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,8}$/);
const q = quoteKeepalived;
const secs = fc.integer({ min: 1, max: 100_000 }).map((ms) => String(ms / 1000));
const int = (min: number, max: number) => fc.integer({ min, max }).map(String);

function some(options: [string, fc.Arbitrary<string>][]): fc.Arbitrary<string> {
  return fc
    .tuple(
      ...options.map(([name, arb]) =>
        fc.option(
          arb.map((v) => `${name} ${v}`.trimEnd()),
          { nil: "" },
        ),
      ),
    )
    .map((xs) => xs.filter(Boolean).join("\n"));
}

const globalDefs = fc
  .tuple(
    some([
      ["router_id", word],
      ["notification_email_from", word],
      [
        "smtp_server",
        fc.tuple(fc.ipV4(), fc.option(int(1, 65535), { nil: "" })).map(([h, p]) => `${h} ${p}`.trim()),
      ],
      ["smtp_connect_timeout", int(0, 4294)],
      ["vrrp_version", fc.constantFrom("2", "3")],
      ["script_user", fc.tuple(word, fc.option(word, { nil: "" })).map(([u, g]) => `${u} ${g}`.trim())],
      ["enable_script_security", fc.constant("")],
      ["smtp_alert", fc.constantFrom("", "true", "false", "on", "off", "yes", "no")],
    ]),
    fc.array(word, { maxLength: 3 }),
  )
  .map(
    ([body, emails]) =>
      `global_defs {\n${body}\n${emails.length ? `notification_email {\n${emails.join("\n")}\n}` : ""}\n}`,
  );

const script = (name: string) =>
  fc
    .tuple(
      fc.oneof(
        text.map((t) => `script ${q(t)}`),
        fc
          .tuple(
            fc.constantFrom("http://127.0.0.1:8080/", "https://h.example/x?y=1"),
            int(100, 599),
            fc.option(secs, { nil: null }),
          )
          .map(([u, s, t]) => `http_check ${u} status ${s}${t === null ? "" : ` timeout ${t}`}`),
      ),
      some([
        ["interval", secs],
        ["timeout", secs],
        ["weight", fc.tuple(int(-253, 253), fc.boolean()).map(([w, r]) => (r ? `${w} reverse` : w))],
        ["rise", int(1, 100)],
        ["fall", int(1, 100)],
        ["user", word],
      ]),
    )
    .map(([cmd, body]) => `vrrp_script ${name} {\n${cmd}\n${body}\n}`);

const vip = fc
  .tuple(
    fc.oneof(fc.ipV4(), fc.constant("2001:db8::5")),
    fc.option(int(0, 32), { nil: null }),
    fc.option(word, { nil: null }),
  )
  .map(([a, l, d]) => `${a}${l === null ? "" : `/${l}`}${d === null ? "" : ` dev ${d}`}`);

const tracked = (names: string[]) =>
  fc
    .tuple(fc.constantFrom(...names), fc.option(int(-253, 253), { nil: null }))
    .map(([n, w]) => (w === null ? n : `${n} weight ${w}`));

const instance = (name: string, scripts: string[]) =>
  fc
    .tuple(
      some([
        ["state", fc.constantFrom("MASTER", "BACKUP")],
        ["priority", int(1, 255)],
        ["advert_int", secs],
        ["version", fc.constantFrom("2", "3")],
        ["notify_master", text.map(q)],
        ["notify_backup", text.map(q)],
        ["notify_fault", text.map(q)],
        ["notify_stop", text.map(q)],
        ["notify", text.map(q)],
        ["smtp_alert", fc.constantFrom("", "false")],
        ["nopreempt", fc.constant("")],
        ["preempt_delay", secs],
      ]),
      some([
        ["unicast_src_ip", fc.ipV4()],
        ["garp_master_delay", int(0, 100)],
        ["garp_master_repeat", int(0, 100)],
        ["garp_master_refresh", int(0, 100)],
        ["garp_master_refresh_repeat", int(0, 100)],
        ["higher_prio_send_advert", fc.constantFrom("", "true", "false")],
      ]),
      word,
      int(1, 255),
      fc.option(fc.tuple(fc.constantFrom("PASS", "AH"), text), { nil: null }),
      fc.array(vip, { maxLength: 3 }),
      scripts.length ? fc.array(tracked(scripts), { maxLength: 2 }) : fc.constant([]),
      fc.array(tracked(["eth0", "eth1"]), { maxLength: 2 }),
      fc.array(fc.ipV4(), { maxLength: 2 }),
    )
    .map(([a, b, iface, vrid, auth, vips, ts, ti, peers]) =>
      [
        `vrrp_instance ${name} {`,
        `interface ${iface}`,
        `virtual_router_id ${vrid}`,
        a,
        b,
        auth ? `authentication {\nauth_type ${auth[0]}\nauth_pass ${q(auth[1])}\n}` : "",
        `virtual_ipaddress {\n${vips.join("\n")}\n}`,
        ts.length ? `track_script {\n${ts.join("\n")}\n}` : "",
        ti.length ? `track_interface {\n${ti.join("\n")}\n}` : "",
        peers.length ? `unicast_peer {\n${peers.join("\n")}\n}` : "",
        "}",
      ].join("\n"),
    );

const configText = fc
  .tuple(fc.uniqueArray(word, { maxLength: 2 }), fc.uniqueArray(word, { maxLength: 2 }))
  .chain(([scripts, instances]) =>
    fc
      .tuple(
        fc.option(globalDefs, { nil: "" }),
        fc.tuple(...scripts.map(script)),
        fc.tuple(...instances.map((n) => instance(n, scripts))),
      )
      .map(([g, s, i]) => [g, ...s, ...i].join("\n")),
  );

test("property: print(parse(text)) parses back to the same keepalived config", () => {
  fc.assert(
    fc.property(configText, (t) => {
      let cfg: KeepalivedConfig;
      try {
        cfg = parseKeepalivedConfigText(t, "/etc/keepalived/a.conf");
      } catch (e) {
        throw new Error(`generated text did not parse: ${(e as Error).message}\n${t}`);
      }
      const printed = printKeepalivedConfig(cfg);
      const again = parseKeepalivedConfigText(printed, "/tmp/b.conf");
      assert.deepEqual(comparable(again), comparable(cfg));
      assert.equal(printKeepalivedConfig(again), printed);
    }),
    { numRuns: 300 },
  );
});

test("quoteKeepalived: bare words stay bare, the rest is double-quoted", () => {
  assert.equal(quoteKeepalived("/usr/local/bin/check_nginx.sh"), "/usr/local/bin/check_nginx.sh");
  assert.equal(quoteKeepalived("/bin/x arg"), '"/bin/x arg"');
  assert.equal(quoteKeepalived("a#b"), '"a#b"');
  assert.equal(quoteKeepalived(""), '""');
});

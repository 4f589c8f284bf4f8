import assert from "node:assert/strict";
import { test } from "node:test";
import type { HttpConfig, HttpServerConfig, ListenAddress } from "../../config/types.js";
import { pickServer, planSockets, validHost } from "./listen-plan.js";

const pos = { file: "t", line: 1 };
const srv = (listen: ListenAddress[], serverName: string[]): HttpServerConfig => ({
  listen,
  serverName,
  locations: [],
  pos,
});
const http = (servers: HttpServerConfig[]): HttpConfig => ({
  types: new Map(),
  defaultType: "text/plain",
  sendfile: false,
  keepaliveTimeout: 75000,
  accessLog: null,
  servers,
  pos,
});

test("one socket per address:port; a wildcard port takes the specific ones", () => {
  const a = srv([{ host: null, port: 80 }], ["a.example"]);
  const b = srv([{ host: "127.0.0.1", port: 80 }], ["b.example"]);
  const c = srv([{ host: "127.0.0.1", port: 8080 }], []);
  const plan = planSockets(http([a, b, c]));
  assert.deepEqual([...plan.keys()].sort(), ["*:80", "127.0.0.1:8080"]);
  assert.deepEqual(plan.get("*:80")!.servers, [a, b]);
  assert.equal(planSockets(null).size, 0);
});

test("server choice: local address, then server_name, else the first (default) server", () => {
  const a = srv([{ host: null, port: 80 }], ["a.example", "*.wild.example"]);
  const b = srv([{ host: "127.0.0.1", port: 80 }], ["b.example", ".dot.example"]);
  const both = [a, b];
  assert.equal(pickServer(both, "10.0.0.1", 80, "b.example"), a, "b listens on 127.0.0.1 only");
  assert.equal(pickServer(both, "127.0.0.1", 80, "b.example:80"), b);
  assert.equal(pickServer(both, "::ffff:127.0.0.1", 80, "B.EXAMPLE."), b);
  assert.equal(pickServer(both, "127.0.0.1", 80, "x.wild.example"), a);
  assert.equal(pickServer(both, "127.0.0.1", 80, "dot.example"), b);
  assert.equal(pickServer(both, "127.0.0.1", 80, "z.dot.example"), b);
  assert.equal(pickServer(both, "127.0.0.1", 80, "unknown"), a);
  assert.equal(pickServer(both, "127.0.0.1", 80, undefined), a);
});

test("Host header validation", () => {
  for (const ok of ["localhost", "example.com:8080", "[::1]:80", "127.0.0.1", "a_b.example"])
    assert.ok(validHost(ok), ok);
  for (const bad of ["", "../..", "a/b", "a\\b", "a b", "a..b", "x\r\ny", "[zz]"])
    assert.ok(!validHost(bad), bad);
});

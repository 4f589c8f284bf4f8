/** The port helper every end-to-end test uses: bindable, never twice, outside the kernel's ephemeral range. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { test } from "node:test";
import { freePort } from "./helpers/env.js";

test("freePort hands out distinct bindable ports below the ephemeral range", async () => {
  const low = Number.parseInt(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8"), 10);
  const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
  assert.equal(new Set(ports).size, ports.length, "never the same port twice");
  for (const p of ports) assert.ok(p >= 10_000 && p < low, `${p} is below ${low}`);
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(ports[0], "127.0.0.1", resolve));
  await new Promise<void>((resolve) => srv.close(() => resolve()));
});

/**
 * Start-up failures turned into one nginx-worded line, and the folders a
 * configuration writes into, created before anything starts.
 */
import { mkdirSync } from "node:fs";
import type { NginxConfig } from "../../config/types.js";
import { OnairError } from "../../util/errors.js";
import { describeSysError, syscallFailed } from "./sys-error.js";

export class StartError extends OnairError {}

/** Creates the folders the configuration writes into (HLS, recordings), as the guide's `mkdir -p`. */
export function ensureDataFolders(config: NginxConfig): void {
  for (const server of config.rtmp?.servers ?? []) {
    for (const app of server.applications) {
      if (app.hls && app.hlsPath) makeDir(app.hlsPath);
      if (app.record.length > 0 && app.recordPath) makeDir(app.recordPath);
    }
  }
}

function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StartError("ONAIR_START_MKDIR", syscallFailed("mkdir", dir, err), { dir });
  }
}

interface ListenErrorShape {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
}

/** One line for a failed start: nginx's `bind() to 0.0.0.0:1935 failed (98: ...)` for listen errors. */
export function toStartError(err: unknown): StartError {
  if (err instanceof StartError) return err;
  const e = (err ?? {}) as ListenErrorShape;
  if (e.syscall === "listen" || e.syscall === "bind") {
    const addr = !e.address || e.address === "::" ? "0.0.0.0" : e.address;
    const host = addr.includes(":") ? `[${addr}]` : addr;
    const msg = `bind() to ${host}:${e.port ?? 0} failed ${describeSysError(err)}`;
    return new StartError("ONAIR_START_BIND", msg, { address: addr, port: e.port });
  }
  if (err instanceof OnairError) {
    // "bind() to ADDR failed (EADDRINUSE)" → nginx's "(98: Address already in use)"
    const m = /^bind\(\) to (\S+) failed \((E[A-Z]+)\)$/.exec(err.message);
    const msg = m ? `bind() to ${m[1]} failed ${describeSysError({ code: m[2] })}` : err.message;
    return new StartError(err.code, msg, err.context);
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new StartError("ONAIR_START_FAILED", msg);
}

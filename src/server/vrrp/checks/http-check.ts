/**
 * The built-in HTTP check (ours; keepalived has HTTP_GET only for LVS real
 * servers): a `vrrp_script` with `http_check URL [STATUS [TIMEOUT]]` instead of
 * `script`. One GET, no shell, no redirects followed; healthy when the
 * response status equals the expected one (default 200) before the timeout.
 * The body is read and discarded (bounded), the connection is not reused.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

export interface HttpCheckOptions {
  url: string;
  /** Expected status (default 200). */
  status: number;
  /** ms for the whole exchange (connect, headers, body). */
  timeoutMs: number;
}

export interface HttpCheckResult {
  ok: boolean;
  status: number | null;
  timedOut: boolean;
  detail: string;
  durationMs: number;
}

/** Bytes of body read before the check stops reading (the verdict only needs the status). */
const MAX_BODY = 64 * 1024;

export function runHttpCheck(opts: HttpCheckOptions): Promise<HttpCheckResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let req: ReturnType<typeof httpRequest> | undefined;
    let settled = false;
    const finish = (ok: boolean, status: number | null, timedOut: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      resolve({ ok, status, timedOut, detail, durationMs: Math.round(performance.now() - started) });
    };
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      resolve({ ok: false, status: null, timedOut: false, detail: `bad URL ${opts.url}`, durationMs: 0 });
      return;
    }
    const timer = setTimeout(
      () => finish(false, null, true, `GET ${opts.url} timed out after ${opts.timeoutMs} ms`),
      Math.max(1, opts.timeoutMs),
    );
    timer.unref();
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const onResponse = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      let seen = 0;
      res.on("data", (d: Buffer) => {
        seen += d.length;
        if (seen > MAX_BODY) res.destroy();
      });
      const verdict = () =>
        finish(
          status === opts.status,
          status,
          false,
          status === opts.status
            ? `GET ${opts.url}: ${status}`
            : `GET ${opts.url}: ${status}, expected ${opts.status}`,
        );
      res.on("end", verdict);
      res.on("close", verdict);
      res.on("error", verdict);
    };
    try {
      req = request(
        url,
        { method: "GET", agent: false, headers: { "user-agent": "onair-vrrp-check" } },
        onResponse,
      );
    } catch (e) {
      finish(false, null, false, `GET ${opts.url}: ${(e as Error).message}`);
      return;
    }
    req.on("error", (e: NodeJS.ErrnoException) =>
      finish(false, null, false, `GET ${opts.url}: ${e.code ?? e.message}`),
    );
    req.end();
  });
}

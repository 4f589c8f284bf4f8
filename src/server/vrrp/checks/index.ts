/**
 * One runnable health check per `vrrp_script`: either its `script` command
 * line (run as keepalived runs it, as the script user, killed at `timeout`)
 * or the built-in HTTP check. Each run resolves to a CheckOutcome for the
 * engine's scheduler; the check keeps its running child so stop() can kill it.
 */
import type { GlobalDefs, VrrpScriptConfig } from "../../../config/types.js";
import type { CheckOutcome } from "../../../engine/vrrp/tracking-scheduler.js";
import { splitCommandLine } from "./command-line.js";
import { runHttpCheck } from "./http-check.js";
import { type RunningScript, runScript } from "./script-runner.js";
import { type ScriptIdentity, scriptIdentity } from "./script-user.js";

export interface HealthCheck {
  name: string;
  /** "script /usr/local/bin/check_nginx.sh as nobody:nogroup" or "http_check http://…/ 200". */
  describe: string;
  run(): Promise<CheckOutcome>;
  /** Kills a run in progress (process group SIGKILL). */
  kill(): void;
}

function scriptCheck(sc: VrrpScriptConfig, cmd: string, globalDefs: GlobalDefs): HealthCheck {
  const argv = splitCommandLine(cmd);
  const identity: ScriptIdentity = scriptIdentity(sc.user, globalDefs.scriptUser);
  let current: RunningScript | null = null;
  return {
    name: sc.name,
    describe: `script ${cmd} as ${identity.label}`,
    async run() {
      current = runScript({ argv, identity, timeoutMs: sc.timeout });
      try {
        const r = await current.result;
        return { ok: r.ok, detail: r.detail, timedOut: r.timedOut };
      } finally {
        current = null;
      }
    },
    kill() {
      current?.kill();
    },
  };
}

function httpCheck(sc: VrrpScriptConfig, http: NonNullable<VrrpScriptConfig["httpCheck"]>): HealthCheck {
  return {
    name: sc.name,
    describe: `http_check ${http.url} ${http.status}`,
    async run() {
      const r = await runHttpCheck({
        url: http.url,
        status: http.status,
        timeoutMs: http.timeout || sc.timeout,
      });
      return { ok: r.ok, detail: r.detail, timedOut: r.timedOut };
    },
    kill() {},
  };
}

/** Builds the check for a vrrp_script. Throws OnairError (bad command line, unknown user). */
export function makeHealthCheck(sc: VrrpScriptConfig, globalDefs: GlobalDefs): HealthCheck {
  if (sc.httpCheck) return httpCheck(sc, sc.httpCheck);
  if (sc.script) return scriptCheck(sc, sc.script, globalDefs);
  return {
    name: sc.name,
    describe: "no script",
    run: async () => ({ ok: false, detail: "vrrp_script has neither script nor http_check" }),
    kill() {},
  };
}

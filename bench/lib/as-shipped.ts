/**
 * For a bench that runs onair's code in its own process: run that process
 * with the node options onair ships with (NODE_FLAGS), as `npm start` does.
 * If this process lacks one of them, it runs itself again with them, waits,
 * and exits with the child's status; otherwise it returns and the bench goes on.
 */
import { spawnSync } from "node:child_process";
import { NODE_FLAGS, withNodeFlags } from "../../src/cli/node-flags.js";

export function runAsShipped(): void {
  if (NODE_FLAGS.every((f) => process.execArgv.includes(f))) return;
  const r = spawnSync(process.execPath, [...withNodeFlags(process.execArgv), ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}

/**
 * The node options a bench starts onair with: the space-separated value of
 * `--node-args "..."` in `argv` when given (`--node-args ""`: plain `node`),
 * otherwise the ones it ships with (NODE_FLAGS).
 */
export function onairNodeArgs(argv: readonly string[]): string[] {
  const i = argv.indexOf("--node-args");
  return i >= 0 ? (argv[i + 1] ?? "").split(" ").filter(Boolean) : [...NODE_FLAGS];
}

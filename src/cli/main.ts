#!/usr/bin/env -S node --single-threaded --no-sparkplug --no-short-builtin-calls --interrupt-budget-factor-for-feedback-allocation=64 --interrupt-budget-for-feedback-allocation=8000 --max-semi-space-size=1
/**
 * The `onair` command. `onair vrrp ...` runs the VRRP daemon (keepalived's
 * options); anything else is the streaming server (nginx's options). Every
 * failure is one line on stderr and a non-zero exit status, never a stack trace.
 */
import { nginxCommand } from "./nginx-command.js";
import { oneLine, say } from "./output.js";
import { vrrpCommand } from "./vrrp-command.js";

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "vrrp") return vrrpCommand(argv.slice(1));
  return nginxCommand(argv);
}

// A closed terminal or pipe (EPIPE) must not turn into an exception loop.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

main(process.argv.slice(2)).then(
  (code) => {
    // Flush stderr/stdout (pipes) before leaving; timers or sockets left by a
    // failed start must not keep the process alive.
    process.exitCode = code;
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    say(`[emerg] ${oneLine(err)}`);
    process.exit(1);
  },
);

/** What the `onair` command prints itself (not through the error log): one line each, to stderr. */
import { readFileSync } from "node:fs";

export function say(line: string): void {
  process.stderr.write(`onair: ${line}\n`);
}

export function sayRaw(text: string): void {
  process.stderr.write(text);
}

/** The message of anything thrown, as one line (never a stack trace). */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n")[0] ?? "";
}

let cachedVersion: string | undefined;

/** The package version (dist/cli and src/cli are both two levels below package.json). */
export function onairVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
        version?: string;
      };
      cachedVersion = pkg.version ?? "0.0.0";
    } catch {
      cachedVersion = "0.0.0";
    }
  }
  return cachedVersion;
}

/**
 * An access log file: the HTTP server formats each line (nginx's `combined`
 * format) and hands it here. Lines are appended through a write stream, so a
 * burst of requests becomes a few batched writes instead of one syscall each.
 * `reopen()` is for logrotate (`onair -s reopen`, SIGUSR1): lines already
 * queued still go to the old (renamed) file, new ones to a fresh file.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import type { Logger } from "../../util/logger.js";
import { STDERR_TARGET } from "./error-log.js";
import { openLogFile } from "./log-file.js";

export interface AccessLogOptions {
  /** Where write failures (disk full...) are reported, once per stream. */
  log?: Logger;
}

export class AccessLog {
  readonly path: string;
  readonly #log: Logger | undefined;
  #stream: WriteStream | null;
  #closed = false;

  /** Opens (creating folder and file) at once; throws LogOpenError in nginx's wording. */
  constructor(path: string, opts: AccessLogOptions = {}) {
    this.path = path;
    this.#log = opts.log;
    this.#stream = this.#open();
  }

  #open(): WriteStream | null {
    if (this.path === STDERR_TARGET || this.path === "/dev/stderr") return null;
    const fd = openLogFile(this.path);
    const stream = createWriteStream(this.path, { fd, flags: "a", autoClose: true });
    let reported = false;
    stream.on("error", (err) => {
      if (reported) return;
      reported = true;
      this.#log?.error(`write() to "${this.path}" failed (${err.message})`);
    });
    return stream;
  }

  /** Appends one line (a newline is added if missing). */
  write(line: string): void {
    if (this.#closed) return;
    const text = line.endsWith("\n") ? line : `${line}\n`;
    if (this.#stream === null) process.stderr.write(text);
    else this.#stream.write(text);
  }

  /** Opens the file again by name; on failure keeps writing to the old one and logs why. */
  reopen(): void {
    if (this.#closed || this.#stream === null) return;
    let next: WriteStream | null;
    try {
      next = this.#open();
    } catch (err) {
      this.#log?.log("alert", err instanceof Error ? err.message : String(err));
      return;
    }
    const old = this.#stream;
    this.#stream = next;
    old.end();
  }

  /** Flushes queued lines and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const s = this.#stream;
    this.#stream = null;
    if (s === null || s.destroyed) return;
    await new Promise<void>((resolve) => {
      s.once("close", () => resolve());
      s.once("error", () => resolve());
      s.end();
    });
  }
}

/**
 * Performs the HLS engine's actions for one stream, in order: segments are
 * written whole before the playlist that lists them, playlists are replaced
 * atomically (temp file + rename), deletions follow. Every action also updates
 * the in-memory overlay at once. A failing write (disk full...) is logged; the
 * stream goes on and memory still serves it.
 */
import { mkdir, rename, unlink, writeFile } from "node:fs/promises";
import type { HlsAction } from "../../engine/hls/hls-actions.js";
import type { Logger } from "../../util/logger.js";
import type { MemoryOverlay } from "./memory-overlay.js";

export class HlsFileWriter {
  readonly #overlay: MemoryOverlay;
  readonly #log: Logger;
  readonly #dir: string;
  #chain: Promise<void> = Promise.resolve();
  #dirReady = false;
  #pending = 0;
  #lastError = "";
  errors = 0;

  constructor(opts: { overlay: MemoryOverlay; log: Logger; dir: string }) {
    this.#overlay = opts.overlay;
    this.#log = opts.log;
    this.#dir = opts.dir;
  }

  get pending(): number {
    return this.#pending;
  }

  perform(a: HlsAction): void {
    switch (a.type) {
      case "segment":
        this.#overlay.put(a.path, a.data);
        this.#enqueue(`write ${a.path}`, () => writeFile(a.path, a.data));
        break;
      case "playlist":
        this.#overlay.put(a.path, a.data);
        this.#enqueue(`write ${a.path}`, async () => {
          await writeFile(a.tmpPath, a.data);
          await rename(a.tmpPath, a.path);
        });
        break;
      case "delete":
        this.#overlay.delete(a.path);
        if (a.file) {
          this.#enqueue(`delete ${a.path}`, () =>
            unlink(a.path).catch((e: NodeJS.ErrnoException) => {
              if (e.code !== "ENOENT") throw e;
            }),
          );
        }
        break;
    }
  }

  /** Resolves when every action queued so far is done. */
  idle(): Promise<void> {
    return this.#chain;
  }

  #enqueue(what: string, op: () => Promise<unknown>): void {
    this.#pending++;
    this.#chain = this.#chain.then(async () => {
      try {
        if (!this.#dirReady) {
          await mkdir(this.#dir, { recursive: true });
          this.#dirReady = true;
        }
        await op();
        this.#lastError = "";
      } catch (e) {
        this.errors++;
        const msg = `hls: ${what} failed: ${(e as Error).message}`;
        // one line per distinct failure, not one per segment of a full disk
        if (msg !== this.#lastError) this.#log.error(msg);
        this.#lastError = msg;
        if ((e as NodeJS.ErrnoException).code === "ENOENT") this.#dirReady = false;
      } finally {
        this.#pending--;
      }
    });
  }
}

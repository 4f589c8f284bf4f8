/**
 * Live playlists and segments kept in memory (FileOverlay contract of
 * engine/media-sink.ts), keyed by the absolute path they also have on disk.
 */
import type { FileOverlay } from "../../engine/media-sink.js";

export interface OverlayEntry {
  data: Buffer;
  mtimeMs: number;
  etag: string;
}

export class MemoryOverlay implements FileOverlay {
  #files = new Map<string, OverlayEntry>();
  #bytes = 0;
  #gen = 0;

  get(absPath: string): OverlayEntry | undefined {
    return this.#files.get(absPath);
  }

  put(absPath: string, data: Buffer, mtimeMs = Date.now()): void {
    this.delete(absPath);
    // nginx's ETag form: "<mtime seconds hex>-<size hex>"; a counter keeps two writes in one second apart
    const etag = `"${Math.floor(mtimeMs / 1000).toString(16)}-${data.length.toString(16)}-${(++this.#gen).toString(16)}"`;
    this.#files.set(absPath, { data, mtimeMs, etag });
    this.#bytes += data.length;
  }

  delete(absPath: string): void {
    const old = this.#files.get(absPath);
    if (!old) return;
    this.#bytes -= old.data.length;
    this.#files.delete(absPath);
  }

  get size(): number {
    return this.#files.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  paths(): string[] {
    return [...this.#files.keys()];
  }
}

/**
 * Finds what a mapped path names: first the FileOverlay (live playlists and
 * segments kept in memory by the HLS packager), then the disk. On disk the
 * path is resolved with realpath and must stay inside the real location root
 * (a symlink pointing out of the root is refused with 403, as nginx's
 * `disable_symlinks` would), then opened once and stat'ed through the handle.
 */
import {
  close,
  closeSync,
  constants,
  fstat,
  fstatSync,
  open,
  openSync,
  readSync,
  realpath,
  realpathSync,
  type Stats,
} from "node:fs";
import { sep } from "node:path";
import type { FileOverlay } from "../../engine/media-sink.js";
import { makeEtag } from "./conditional.js";

export type FileLookup =
  | { kind: "memory"; data: Buffer; mtimeMs: number; etag: string }
  | { kind: "file"; fd: number; size: number; mtimeMs: number; etag: string }
  | { kind: "dir" }
  | { kind: "error"; status: 403 | 404 | 500; reason: string };

const BASE_TTL_MS = 1000;
const REAL_CACHE_MAX = 4096;

const realpathAsync = (p: string) =>
  new Promise<string>((res, rej) => realpath.native(p, (e, r) => (e ? rej(e) : res(r))));
const openAsync = (p: string) =>
  new Promise<number>((res, rej) =>
    open(p, constants.O_RDONLY | constants.O_NONBLOCK, (e, fd) => (e ? rej(e) : res(fd))),
  );
const fstatAsync = (fd: number) =>
  new Promise<Stats>((res, rej) => fstat(fd, (e, st) => (e ? rej(e) : res(st))));

/** Closes a descriptor in the background (errors ignored: nothing can be done about them). */
export function closeFd(fd: number): void {
  if (fd >= 0) close(fd, () => {});
}

/** True when `p` is `base` or below it (both absolute and normalised). */
export function isInside(p: string, base: string): boolean {
  if (base === sep) return p.startsWith(sep);
  return p === base || p.startsWith(base.endsWith(sep) ? base : base + sep);
}

function errorFor(err: unknown): FileLookup {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR" || code === "ENAMETOOLONG") {
    return { kind: "error", status: 404, reason: `${code}` };
  }
  if (code === "EACCES" || code === "ELOOP" || code === "EPERM") {
    return { kind: "error", status: 403, reason: `${code}` };
  }
  return { kind: "error", status: 500, reason: String(err) };
}

export class FileSource {
  readonly #overlay: FileOverlay | null;
  readonly #bases = new Map<string, { real: string; at: number }>();
  readonly #reals = new Map<string, { real: string; at: number }>();

  constructor(overlay: FileOverlay | null) {
    this.#overlay = overlay;
  }

  /** Forgets cached real paths (on reload). */
  clear(): void {
    this.#bases.clear();
    this.#reals.clear();
  }

  async #realBase(base: string): Promise<string> {
    const now = Date.now();
    const hit = this.#bases.get(base);
    if (hit && now - hit.at < BASE_TTL_MS) return hit.real;
    const real = await realpathAsync(base);
    this.#bases.set(base, { real, at: now });
    return real;
  }

  /** realpath, remembered for BASE_TTL_MS in `cache` (realpath costs one lstat per path part). */
  #realSync(cache: Map<string, { real: string; at: number }>, path: string): string {
    const now = Date.now();
    const hit = cache.get(path);
    if (hit && now - hit.at < BASE_TTL_MS) return hit.real;
    const real = realpathSync.native(path);
    if (cache.size >= REAL_CACHE_MAX) cache.clear();
    cache.set(path, { real, at: now });
    return real;
  }

  /**
   * The whole body of a regular file of at most `maxBytes` under `base`, read
   * with blocking calls (as nginx does without aio: cheap when the file is in
   * the page cache); undefined for anything else (missing, directory, too
   * big, outside the root, an error), which `lookup` then answers properly.
   */
  readSmall(
    file: string,
    base: string,
    maxBytes: number,
  ): { data: Buffer; mtimeMs: number; etag: string } | undefined {
    const mem = this.#overlay?.get(file);
    if (mem) return mem;
    let fd = -1;
    try {
      const real = this.#realSync(this.#reals, file);
      if (!isInside(real, this.#realSync(this.#bases, base))) return undefined;
      // O_NOFOLLOW: a cached real path whose last part became a symlink fails here (ELOOP)
      fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > maxBytes) return undefined;
      const data = Buffer.allocUnsafe(st.size);
      if (st.size > 0 && readSync(fd, data, 0, st.size, 0) !== st.size) return undefined;
      return { data, mtimeMs: st.mtimeMs, etag: makeEtag(st.mtimeMs, st.size) };
    } catch {
      return undefined;
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }

  /** Looks `file` (lexically inside `base`) up; `wantBody` false only checks existence. */
  async lookup(file: string, base: string, wantBody = true): Promise<FileLookup> {
    const mem = this.#overlay?.get(file);
    if (mem) return { kind: "memory", data: mem.data, mtimeMs: mem.mtimeMs, etag: mem.etag };
    let real: string;
    try {
      real = await realpathAsync(file);
      const realBase = await this.#realBase(base);
      if (!isInside(real, realBase)) {
        return { kind: "error", status: 403, reason: `"${file}" resolves outside the root` };
      }
    } catch (err) {
      return errorFor(err);
    }
    let fd = -1;
    try {
      fd = await openAsync(real);
      const st = await fstatAsync(fd);
      if (st.isDirectory() || !st.isFile() || !wantBody) closeFd(fd);
      if (st.isDirectory()) return { kind: "dir" };
      if (!st.isFile()) return { kind: "error", status: 404, reason: `"${file}" is not a regular file` };
      return {
        kind: "file",
        fd: wantBody ? fd : -1,
        size: st.size,
        mtimeMs: st.mtimeMs,
        etag: makeEtag(st.mtimeMs, st.size),
      };
    } catch (err) {
      if (fd >= 0) closeFd(fd);
      return errorFor(err);
    }
  }
}

/**
 * Where onair finds itself: the default prefix is the project folder (the
 * one holding conf/onair.conf), found from this module's own location so it
 * works the same from src/ (tsx) and from dist/ (compiled).
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | null = null;

/** The project folder: the nearest parent of this module holding conf/onair.conf. */
export function projectPrefix(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "conf", "onair.conf"))) break;
    const up = dirname(dir);
    if (up === dir) {
      // Not found (unusual install): two levels up from src/config or dist/config.
      dir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
      break;
    }
    dir = up;
  }
  cached = dir;
  return dir;
}

/** The built-in default configuration file: PREFIX/conf/onair.conf. */
export function defaultConfigPath(prefix: string = projectPrefix()): string {
  return join(prefix, "conf", "onair.conf");
}

/**
 * nginx's location choice without regex locations
 * (ngx_http_core_find_location): an exact `=` location equal to the URI wins;
 * otherwise the longest matching prefix (`^~` or plain; with no regex
 * locations both behave the same). Case-sensitive, as nginx on Linux.
 */
import type { LocationConfig } from "../../config/types.js";

export function matchLocation(locations: readonly LocationConfig[], uri: string): LocationConfig | null {
  let best: LocationConfig | null = null;
  for (const loc of locations) {
    if (loc.modifier === "=") {
      if (loc.path === uri) return loc;
      continue;
    }
    if (uri.startsWith(loc.path) && (best === null || loc.path.length > best.path.length)) best = loc;
  }
  return best;
}

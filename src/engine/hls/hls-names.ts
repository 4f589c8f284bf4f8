/**
 * File names as nginx-rtmp's HLS module makes them (hls/ngx_rtmp_hls_module.c,
 * ngx_rtmp_hls_publish / ngx_rtmp_hls_open_fragment):
 *   flat:    PATH/NAME.m3u8        and PATH/NAME-ID.ts   (listed as NAME-ID.ts)
 *   nested:  PATH/NAME/index.m3u8  and PATH/NAME/ID.ts   (listed as ID.ts)
 * Paths are POSIX strings; the engine never touches the file system.
 */

export interface HlsNames {
  /** Folder holding the playlist and segments. */
  dir: string;
  playlist: string;
  /** Temp file renamed over the playlist. */
  playlistTmp: string;
  segmentPath(id: number): string;
  segmentUri(id: number): string;
  /** The inverse of segmentUri, for recovery (null if the URI is not ours). */
  uriToPath(uri: string): string | null;
}

function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
}

export function hlsNames(hlsPath: string, name: string, nested: boolean): HlsNames {
  const base = trimSlash(hlsPath);
  const dir = nested ? `${base}/${name}` : base;
  const playlist = nested ? `${dir}/index.m3u8` : `${base}/${name}.m3u8`;
  const prefix = nested ? "" : `${name}-`;
  return {
    dir,
    playlist,
    playlistTmp: `${playlist}.tmp`,
    segmentPath: (id) => `${dir}/${prefix}${id}.ts`,
    segmentUri: (id) => `${prefix}${id}.ts`,
    uriToPath: (uri) => {
      if (uri.includes("/") || uri.includes("..") || !uri.endsWith(".ts") || !uri.startsWith(prefix)) {
        return null;
      }
      return `${dir}/${uri}`;
    },
  };
}

/** nginx-rtmp refuses names with ".."; we also refuse what could leave hls_path or break a file name. */
export function isSafeStreamName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 200 &&
    !name.includes("..") &&
    !name.includes("/") &&
    !name.includes("\\") &&
    !name.includes("\0") &&
    !name.startsWith(".") &&
    !/[\x00-\x1f\x7f]/.test(name)
  );
}

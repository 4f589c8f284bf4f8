/**
 * Typed configuration builders for tests and benches, so they need not go
 * through the config loader: an RTMP application with the loader's defaults
 * (overridable field by field) and a whole NginxConfig with one RTMP server on
 * 127.0.0.1. Pure data: importing this starts nothing.
 */
import {
  DEFAULT_FLUSH_INTERVAL_MS,
  type NginxConfig,
  type RtmpApplicationConfig,
  type RtmpServerConfig,
} from "../../src/config/types.js";

const pos = { file: "test.conf", line: 1 };

export function rtmpApp(name: string, over: Partial<RtmpApplicationConfig> = {}): RtmpApplicationConfig {
  return {
    name,
    live: true,
    record: [],
    recordPath: null,
    recordSuffix: ".flv",
    recordUnique: false,
    recordAppend: false,
    recordMaxSize: null,
    recordMaxFrames: null,
    recordInterval: null,
    hls: false,
    hlsPath: null,
    hlsFragment: 5000,
    hlsPlaylistLength: 30000,
    hlsMaxFragment: 50000,
    hlsNested: false,
    hlsCleanup: true,
    hlsContinuous: true,
    hlsFragmentNaming: "sequential",
    hlsEndlist: true,
    access: [],
    dropIdlePublisher: null,
    publishReplace: false,
    gopCacheSize: 8 << 20,
    pos,
    ...over,
  };
}

export function rtmpConfig(
  port: number,
  apps: RtmpApplicationConfig[] = [rtmpApp("live")],
  over: Partial<RtmpServerConfig> = {},
): NginxConfig {
  return {
    file: "/dev/null",
    prefix: "/tmp",
    workerProcesses: 1,
    errorLog: [],
    pid: "/tmp/onair-test.pid",
    daemon: false,
    masterProcess: false,
    workerConnections: 1024,
    http: null,
    rtmp: {
      pos,
      flushInterval: DEFAULT_FLUSH_INTERVAL_MS,
      servers: [
        {
          listen: [{ host: "127.0.0.1", port }],
          chunkSize: 4096,
          ping: 60_000,
          pingTimeout: 30_000,
          timeout: 60_000,
          maxConnections: null,
          maxMessage: 1 << 20,
          applications: apps,
          pos,
          ...over,
        },
      ],
    },
  };
}

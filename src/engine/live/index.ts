export { AccessList, parseAddress } from "./access-rules.js";
export { audioInfo, type FrameInfo, videoInfo } from "./frame-info.js";
export {
  DEFAULT_PLAYER_QUEUE_BYTES,
  LiveEngine,
  type LiveEngineOptions,
  type PlayRequest,
  type PublishRequest,
  type PublishResult,
} from "./live-engine.js";
export { LivePlayer, type PlayerOutput } from "./live-player.js";
export {
  type IngestVerdict,
  type KickReason,
  LivePublisher,
  type PublisherClient,
} from "./live-publisher.js";
export { type ChunkEncoder, SharedPacket } from "./shared-packet.js";
export type { StreamStats } from "./stream-stats.js";

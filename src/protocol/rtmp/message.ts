/**
 * A whole RTMP message as the chunk layer delivers it (Adobe RTMP spec 5.3/6.1)
 * and as the live engine hands it on. `timestamp` is the absolute 32-bit
 * message timestamp in ms (deltas already applied by the chunk decoder).
 */
export interface RtmpMessage {
  type: number;
  streamId: number;
  timestamp: number;
  payload: Buffer;
  /** Chunk stream id it arrived on / should be sent on. */
  csid: number;
}

/** Message type ids (RTMP spec 5.4, 6.2, 7.1). */
export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  SharedObjectAmf3: 16,
  CommandAmf3: 17,
  DataAmf0: 18,
  SharedObjectAmf0: 19,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;

/** Helpers shared by the protocol control message files (RTMP spec 5.4). */
import { Csid } from "../chunk-header.js";
import type { RtmpMessage } from "../message.js";
import { RtmpErrorCode, RtmpProtocolError } from "../rtmp-error.js";

/** A protocol control message: chunk stream 2, message stream 0 (spec 5.4). */
export function controlMessage(type: number, payload: Buffer, timestamp = 0): RtmpMessage {
  return { type, streamId: 0, timestamp, payload, csid: Csid.Control };
}

export function needLength(payload: Buffer, n: number, what: string): void {
  if (payload.length < n) {
    throw new RtmpProtocolError(RtmpErrorCode.BadMessage, `${what}: ${payload.length} bytes, need ${n}`, {
      length: payload.length,
    });
  }
}

export function u32Payload(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

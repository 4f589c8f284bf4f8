import { OnairError } from "../../util/errors.js";

/** Stable codes of RTMP protocol violations (handshake, chunk stream, messages). */
export const RtmpErrorCode = {
  HandshakeVersion: "ONAIR_RTMP_HANDSHAKE_VERSION",
  MessageTooLarge: "ONAIR_RTMP_MESSAGE_TOO_LARGE",
  BadChunkSize: "ONAIR_RTMP_BAD_CHUNK_SIZE",
  TooManyChunkStreams: "ONAIR_RTMP_TOO_MANY_CHUNK_STREAMS",
  TooMuchPending: "ONAIR_RTMP_TOO_MUCH_PENDING",
  NoPreviousHeader: "ONAIR_RTMP_CHUNK_NO_PREVIOUS_HEADER",
  BadMessage: "ONAIR_RTMP_BAD_MESSAGE",
} as const;
export type RtmpErrorCode = (typeof RtmpErrorCode)[keyof typeof RtmpErrorCode];

/** Every RTMP protocol violation the codecs detect. */
export class RtmpProtocolError extends OnairError {
  constructor(code: RtmpErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

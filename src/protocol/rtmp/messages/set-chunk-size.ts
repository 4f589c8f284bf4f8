/** Set Chunk Size (type 1, RTMP spec 5.4.1): 31-bit chunk size, first bit zero. */
import { MessageType, type RtmpMessage } from "../message.js";
import { RtmpErrorCode, RtmpProtocolError } from "../rtmp-error.js";
import { controlMessage, needLength, u32Payload } from "./control.js";

export const SetChunkSize = {
  type: MessageType.SetChunkSize,
  decode(payload: Buffer): number {
    needLength(payload, 4, "Set Chunk Size");
    const size = payload.readUInt32BE(0);
    if (size === 0 || size > 0x7fffffff) {
      throw new RtmpProtocolError(RtmpErrorCode.BadChunkSize, `chunk size ${size} out of 1..2^31-1`, {
        size,
      });
    }
    return size;
  },
  encode(size: number): Buffer {
    return u32Payload(size);
  },
  message(size: number): RtmpMessage {
    return controlMessage(MessageType.SetChunkSize, u32Payload(size));
  },
};

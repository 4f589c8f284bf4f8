/** Window Acknowledgement Size (type 5, RTMP spec 5.4.4): send an Acknowledgement every N bytes. */
import { MessageType, type RtmpMessage } from "../message.js";
import { controlMessage, needLength, u32Payload } from "./control.js";

export const WindowAckSize = {
  type: MessageType.WindowAckSize,
  decode(payload: Buffer): number {
    needLength(payload, 4, "Window Acknowledgement Size");
    return payload.readUInt32BE(0);
  },
  encode(size: number): Buffer {
    return u32Payload(size);
  },
  message(size: number): RtmpMessage {
    return controlMessage(MessageType.WindowAckSize, u32Payload(size));
  },
};

/** Acknowledgement (type 3, RTMP spec 5.4.3): bytes received so far (sequence number, wraps at 2^32). */
import { MessageType, type RtmpMessage } from "../message.js";
import { controlMessage, needLength, u32Payload } from "./control.js";

export const Acknowledgement = {
  type: MessageType.Acknowledgement,
  decode(payload: Buffer): number {
    needLength(payload, 4, "Acknowledgement");
    return payload.readUInt32BE(0);
  },
  encode(sequence: number): Buffer {
    return u32Payload(sequence);
  },
  message(sequence: number): RtmpMessage {
    return controlMessage(MessageType.Acknowledgement, u32Payload(sequence));
  },
};

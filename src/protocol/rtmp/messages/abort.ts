/** Abort Message (type 2, RTMP spec 5.4.2): the chunk stream whose partial message to drop. */
import { MessageType, type RtmpMessage } from "../message.js";
import { controlMessage, needLength, u32Payload } from "./control.js";

export const Abort = {
  type: MessageType.Abort,
  decode(payload: Buffer): number {
    needLength(payload, 4, "Abort");
    return payload.readUInt32BE(0);
  },
  encode(csid: number): Buffer {
    return u32Payload(csid);
  },
  message(csid: number): RtmpMessage {
    return controlMessage(MessageType.Abort, u32Payload(csid));
  },
};

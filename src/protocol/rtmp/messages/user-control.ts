/** User Control Message (type 4, RTMP spec 6.2, 7.1.7): 16-bit event type + event data. */
import { MessageType, type RtmpMessage } from "../message.js";
import { controlMessage, needLength } from "./control.js";

export const UserControlEvent = {
  StreamBegin: 0,
  StreamEOF: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

export type UserControl =
  | { event: 0 | 1 | 2 | 4; streamId: number }
  | { event: 3; streamId: number; bufferLength: number }
  | { event: 6 | 7; timestamp: number }
  /** Any other event type: raw data kept. */
  | { event: number; data: Buffer };

export const UserControlMessage = {
  type: MessageType.UserControl,
  decode(payload: Buffer): UserControl {
    needLength(payload, 2, "User Control");
    const event = payload.readUInt16BE(0);
    switch (event) {
      case 0:
      case 1:
      case 2:
      case 4:
        needLength(payload, 6, "User Control");
        return { event, streamId: payload.readUInt32BE(2) };
      case 3:
        needLength(payload, 10, "SetBufferLength");
        return { event, streamId: payload.readUInt32BE(2), bufferLength: payload.readUInt32BE(6) };
      case 6:
      case 7:
        needLength(payload, 6, "Ping");
        return { event, timestamp: payload.readUInt32BE(2) };
      default:
        return { event, data: payload.subarray(2) };
    }
  },
  encode(v: UserControl): Buffer {
    const parts: number[] = [];
    if ("streamId" in v) parts.push(v.streamId);
    if ("bufferLength" in v) parts.push(v.bufferLength);
    if ("timestamp" in v) parts.push(v.timestamp);
    const extra = "data" in v ? v.data : null;
    const b = Buffer.allocUnsafe(2 + parts.length * 4 + (extra ? extra.length : 0));
    b.writeUInt16BE(v.event, 0);
    for (let i = 0; i < parts.length; i++) b.writeUInt32BE(parts[i]! >>> 0, 2 + i * 4);
    if (extra) extra.copy(b, 2);
    return b;
  },
  message(v: UserControl): RtmpMessage {
    return controlMessage(MessageType.UserControl, UserControlMessage.encode(v));
  },
  streamBegin(streamId: number): RtmpMessage {
    return UserControlMessage.message({ event: UserControlEvent.StreamBegin, streamId });
  },
  streamEof(streamId: number): RtmpMessage {
    return UserControlMessage.message({ event: UserControlEvent.StreamEOF, streamId });
  },
  streamDry(streamId: number): RtmpMessage {
    return UserControlMessage.message({ event: UserControlEvent.StreamDry, streamId });
  },
  streamIsRecorded(streamId: number): RtmpMessage {
    return UserControlMessage.message({ event: UserControlEvent.StreamIsRecorded, streamId });
  },
  pingRequest(timestamp: number): RtmpMessage {
    return UserControlMessage.message({ event: UserControlEvent.PingRequest, timestamp });
  },
  pingResponse(timestamp: number): RtmpMessage {
    return UserControlMessage.message({ event: UserControlEvent.PingResponse, timestamp });
  },
};

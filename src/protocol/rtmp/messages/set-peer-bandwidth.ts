/** Set Peer Bandwidth (type 6, RTMP spec 5.4.5): window size + limit type (0 hard, 1 soft, 2 dynamic). */
import { MessageType, type RtmpMessage } from "../message.js";
import { controlMessage, needLength } from "./control.js";

export const BandwidthLimit = { Hard: 0, Soft: 1, Dynamic: 2 } as const;

export interface PeerBandwidth {
  size: number;
  limit: number;
}

export const SetPeerBandwidth = {
  type: MessageType.SetPeerBandwidth,
  decode(payload: Buffer): PeerBandwidth {
    needLength(payload, 5, "Set Peer Bandwidth");
    return { size: payload.readUInt32BE(0), limit: payload[4]! };
  },
  encode(v: PeerBandwidth): Buffer {
    const b = Buffer.allocUnsafe(5);
    b.writeUInt32BE(v.size >>> 0, 0);
    b[4] = v.limit;
    return b;
  },
  message(v: PeerBandwidth): RtmpMessage {
    return controlMessage(MessageType.SetPeerBandwidth, SetPeerBandwidth.encode(v));
  },
};

/**
 * Data messages (type 18 AMF0, type 15 AMF3; RTMP spec 7.1.2) and the
 * `@setDataFrame` / `onMetaData` handling of live streams: a publisher sends
 * `@setDataFrame("onMetaData", {...})`; players get `onMetaData({...})`.
 */
import { type AmfLimits, type AmfObject, type AmfValue, encodeAmf0, isPlainObject } from "../../amf/index.js";
import { Csid } from "../chunk-header.js";
import { MessageType, type RtmpMessage } from "../message.js";
import { decodeAmfPayload } from "./command.js";

export const SET_DATA_FRAME = "@setDataFrame";
export const ON_META_DATA = "onMetaData";

/** Bytes of an AMF0 "@setDataFrame" string value (marker, length, text). */
const SET_DATA_FRAME_AMF0 = encodeAmf0(SET_DATA_FRAME);

export interface MetadataFrame {
  /** AMF0 payload to send to players: "onMetaData", then the metadata values. */
  payload: Buffer;
  /** The metadata object (ECMA array or object), when there is one. */
  metadata: AmfObject | null;
}

export const DataMessage = {
  decode(payload: Buffer, type: number = MessageType.DataAmf0, limits?: Partial<AmfLimits>): AmfValue[] {
    return decodeAmfPayload(payload, type, limits);
  },
  encode(...values: AmfValue[]): Buffer {
    return encodeAmf0(...values);
  },
  message(payload: Buffer, opts: { streamId?: number; timestamp?: number; csid?: number } = {}): RtmpMessage {
    return {
      type: MessageType.DataAmf0,
      streamId: opts.streamId ?? 0,
      timestamp: opts.timestamp ?? 0,
      payload,
      csid: opts.csid ?? Csid.Data,
    };
  },
};

/**
 * For a data message carrying metadata (`@setDataFrame("onMetaData", ...)` or
 * `onMetaData(...)`): the payload players get and the metadata object; null for
 * other data messages. An AMF0 `@setDataFrame` is stripped without copying the
 * rest; other forms are re-encoded as AMF0. Throws AmfError on bad AMF.
 */
export function metadataFrame(
  payload: Buffer,
  type: number,
  limits?: Partial<AmfLimits>,
): MetadataFrame | null {
  const values = decodeAmfPayload(payload, type, limits);
  let rest = values;
  let stripped = false;
  if (rest[0] === SET_DATA_FRAME) {
    rest = rest.slice(1);
    stripped = true;
  }
  if (rest[0] !== ON_META_DATA) return null;
  const metadata = rest.slice(1).find((v): v is AmfObject => isPlainObject(v)) ?? null;
  const exact =
    type === MessageType.DataAmf0 &&
    stripped &&
    payload.subarray(0, SET_DATA_FRAME_AMF0.length).equals(SET_DATA_FRAME_AMF0);
  const out = exact
    ? payload.subarray(SET_DATA_FRAME_AMF0.length)
    : type === MessageType.DataAmf0 && !stripped
      ? payload
      : encodeAmf0(...rest);
  return { payload: out, metadata };
}

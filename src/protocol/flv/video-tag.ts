/**
 * FLV VIDEODATA (FLV spec E.4.3.1) and its Enhanced RTMP (v1) ex-header form:
 * frame type, codec, packet type, composition time offset, payload.
 */
import { FlvError } from "./flv-error.js";

/** E.4.3.1 CodecID. */
export const VIDEO_CODEC_AVC = 7;
/** Enhanced RTMP PacketType values. */
const EX_SEQUENCE_START = 0;
const EX_CODED_FRAMES = 1;
const EX_SEQUENCE_END = 2;
const EX_CODED_FRAMES_X = 3;

export type VideoCodec = "avc" | "hevc" | "other";
/** "config" = decoder configuration record; "frame" = coded frame; "end" = end of sequence. */
export type VideoPacketKind = "config" | "frame" | "end" | "other";

export interface VideoTag {
  codec: VideoCodec;
  /** 1 = keyframe, 2 = inter, 3 = disposable, 4 = generated key, 5 = info/command. */
  frameType: number;
  kind: VideoPacketKind;
  /** Composition time offset in ms (signed). */
  cts: number;
  payload: Buffer;
}

function si24(body: Buffer, at: number): number {
  const v = (body[at]! << 16) | (body[at + 1]! << 8) | body[at + 2]!;
  return v & 0x800000 ? v - 0x1000000 : v;
}

function parseEnhanced(body: Buffer, b0: number): VideoTag {
  if (body.length < 5) throw new FlvError("ONAIR_FLV_TRUNCATED", "enhanced video tag without FourCC");
  const frameType = (b0 >> 4) & 7;
  const packetType = b0 & 0x0f;
  const fourcc = body.toString("latin1", 1, 5);
  const codec: VideoCodec = fourcc === "hvc1" ? "hevc" : fourcc === "avc1" ? "avc" : "other";
  if (packetType === EX_CODED_FRAMES) {
    if (body.length < 8) throw new FlvError("ONAIR_FLV_TRUNCATED", "enhanced coded frame without cts");
    return { codec, frameType, kind: "frame", cts: si24(body, 5), payload: body.subarray(8) };
  }
  const kind: VideoPacketKind =
    packetType === EX_SEQUENCE_START
      ? "config"
      : packetType === EX_CODED_FRAMES_X
        ? "frame"
        : packetType === EX_SEQUENCE_END
          ? "end"
          : "other";
  return { codec, frameType, kind, cts: 0, payload: body.subarray(5) };
}

export function parseVideoTag(body: Buffer): VideoTag {
  if (body.length < 1) throw new FlvError("ONAIR_FLV_TRUNCATED", "empty video tag");
  const b0 = body[0]!;
  if (b0 & 0x80) return parseEnhanced(body, b0);
  const frameType = b0 >> 4;
  const codecId = b0 & 0x0f;
  if (codecId !== VIDEO_CODEC_AVC && codecId !== 12) {
    return { codec: "other", frameType, kind: "other", cts: 0, payload: body.subarray(1) };
  }
  if (body.length < 5) throw new FlvError("ONAIR_FLV_TRUNCATED", "AVC video tag shorter than 5 bytes");
  const pt = body[1]!;
  const kind: VideoPacketKind = pt === 0 ? "config" : pt === 1 ? "frame" : pt === 2 ? "end" : "other";
  return {
    codec: codecId === VIDEO_CODEC_AVC ? "avc" : "hevc",
    frameType,
    kind,
    cts: si24(body, 2),
    payload: body.subarray(5),
  };
}

/**
 * What the live engine needs from audio/video message payloads (FLV tag
 * bodies, FLV spec 10 annex E.4.2/E.4.3, Enhanced RTMP v1/v2): codec,
 * keyframe, sequence header. Legacy headers and the Enhanced RTMP extended
 * headers (IsExHeader bit, PacketType, FourCC, ModEx prefix) are both read.
 * Nothing is copied; payloads are relayed unchanged.
 */

/** Legacy FLV VideoTagHeader CodecID (FLV spec E.4.3.1); 12 = HEVC as widely extended. */
export const VideoCodecId = {
  SorensonH263: 2,
  Screen: 3,
  Vp6: 4,
  Vp6Alpha: 5,
  Screen2: 6,
  Avc: 7,
  Hevc: 12,
} as const;
/** FrameType (FLV E.4.3.1; same values in the E-RTMP header). */
export const VideoFrameType = { Key: 1, Inter: 2, Disposable: 3, GeneratedKey: 4, Command: 5 } as const;
/** AVCPacketType (FLV E.4.3.1). */
export const AvcPacketType = { SequenceHeader: 0, Nalu: 1, EndOfSequence: 2 } as const;
/** Enhanced RTMP VideoPacketType. */
export const ExVideoPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  CodedFramesX: 3,
  Metadata: 4,
  Mpeg2TsSequenceStart: 5,
  Multitrack: 6,
  ModEx: 7,
} as const;
/** Enhanced RTMP AudioPacketType. */
export const ExAudioPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  MultichannelConfig: 4,
  Multitrack: 5,
  ModEx: 7,
} as const;
/** Legacy SoundFormat (FLV E.4.2.1); 9 announces an E-RTMP extended audio header. */
export const SoundFormat = {
  Mp3: 2,
  Nellymoser: 6,
  G711A: 7,
  G711U: 8,
  ExHeader: 9,
  Aac: 10,
  Speex: 11,
} as const;

const LEGACY_VIDEO_CODECS: Record<number, string> = {
  2: "h263",
  3: "screen",
  4: "vp6",
  5: "vp6a",
  6: "screen2",
  7: "avc1",
  12: "hvc1",
};

const LEGACY_AUDIO_CODECS: Record<number, string> = {
  0: "pcm",
  1: "adpcm",
  2: "mp3",
  3: "pcm-le",
  4: "nellymoser16",
  5: "nellymoser8",
  6: "nellymoser",
  7: "alaw",
  8: "ulaw",
  10: "mp4a",
  11: "speex",
  14: "mp3-8k",
};

export interface VideoTagInfo {
  /** FourCC ("avc1", "hvc1", "av01", "vp09", ...) or a legacy name ("vp6", "h263"); "" if unknown. */
  codec: string;
  enhanced: boolean;
  frameType: number;
  /** AVCPacketType (legacy AVC/HEVC) or E-RTMP PacketType (after any ModEx prefix); -1 if none. */
  packetType: number;
  /** A coded keyframe (frame type 1, not a sequence header/end/metadata). */
  keyframe: boolean;
  /** Decoder configuration (AVC/HEVC sequence header, E-RTMP SequenceStart / MPEG2TSSequenceStart). */
  sequenceHeader: boolean;
  /** Composition time offset in ms (AVC/HEVC); 0 otherwise. */
  compositionTime: number;
  /** Offset of the codec payload after the header. */
  dataOffset: number;
}

function fourCc(b: Buffer, off: number): string {
  return b.toString("latin1", off, off + 4);
}

/** Skips E-RTMP v2 ModEx prefixes; returns [packetType, offset] or null when truncated. */
function skipModEx(b: Buffer, off: number, packetType: number, modEx: number): [number, number] | null {
  let p = off;
  let type = packetType;
  while (type === modEx) {
    if (p + 1 > b.length) return null;
    let size = b[p]! + 1;
    p += 1;
    if (size === 256) {
      if (p + 2 > b.length) return null;
      size = b.readUInt16BE(p) + 1;
      p += 2;
    }
    p += size;
    if (p + 1 > b.length) return null;
    type = b[p]! & 0x0f;
    p += 1;
  }
  return [type, p];
}

function parseExVideo(b: Buffer): VideoTagInfo | null {
  const frameType = (b[0]! >> 4) & 0x07;
  const skipped = skipModEx(b, 1, b[0]! & 0x0f, ExVideoPacketType.ModEx);
  if (!skipped) return null;
  let [packetType, p] = skipped;
  if (packetType === ExVideoPacketType.Multitrack) {
    if (p + 1 > b.length) return null;
    packetType = b[p]! & 0x0f;
    p += 1;
  }
  if (p + 4 > b.length) return null;
  const codec = fourCc(b, p);
  p += 4;
  let compositionTime = 0;
  const withCts = packetType === ExVideoPacketType.CodedFrames && (codec === "avc1" || codec === "hvc1");
  if (withCts) {
    if (p + 3 > b.length) return null;
    compositionTime = b.readIntBE(p, 3);
    p += 3;
  }
  const sequenceHeader =
    packetType === ExVideoPacketType.SequenceStart || packetType === ExVideoPacketType.Mpeg2TsSequenceStart;
  const coded = packetType === ExVideoPacketType.CodedFrames || packetType === ExVideoPacketType.CodedFramesX;
  return {
    codec,
    enhanced: true,
    frameType,
    packetType,
    keyframe: frameType === VideoFrameType.Key && coded,
    sequenceHeader,
    compositionTime,
    dataOffset: p,
  };
}

/** Parses a video message payload's header; null when it is too short to tell. */
export function parseVideoTagHeader(b: Buffer): VideoTagInfo | null {
  if (b.length < 1) return null;
  if ((b[0]! & 0x80) !== 0) return parseExVideo(b);
  const frameType = b[0]! >> 4;
  const codecId = b[0]! & 0x0f;
  const codec = LEGACY_VIDEO_CODECS[codecId] ?? "";
  if (codecId === VideoCodecId.Avc || codecId === VideoCodecId.Hevc) {
    if (b.length < 5) return null;
    const packetType = b[1]!;
    return {
      codec,
      enhanced: false,
      frameType,
      packetType,
      keyframe: frameType === VideoFrameType.Key && packetType === AvcPacketType.Nalu,
      sequenceHeader: packetType === AvcPacketType.SequenceHeader,
      compositionTime: b.readIntBE(2, 3),
      dataOffset: 5,
    };
  }
  return {
    codec,
    enhanced: false,
    frameType,
    packetType: -1,
    keyframe: frameType === VideoFrameType.Key,
    sequenceHeader: false,
    compositionTime: 0,
    dataOffset: 1,
  };
}

export interface AudioTagInfo {
  /** "mp4a", "mp3", "speex", ... or an E-RTMP FourCC ("Opus", "fLaC", "ac-3", "ec-3", ".mp3", "mp4a"). */
  codec: string;
  enhanced: boolean;
  soundFormat: number;
  /** AACPacketType or E-RTMP AudioPacketType; -1 if none. */
  packetType: number;
  /** AAC AudioSpecificConfig / E-RTMP SequenceStart. */
  sequenceHeader: boolean;
  dataOffset: number;
}

/** Parses an audio message payload's header; null when it is too short to tell. */
export function parseAudioTagHeader(b: Buffer): AudioTagInfo | null {
  if (b.length < 1) return null;
  const soundFormat = b[0]! >> 4;
  if (soundFormat === SoundFormat.ExHeader) {
    const skipped = skipModEx(b, 1, b[0]! & 0x0f, ExAudioPacketType.ModEx);
    if (!skipped) return null;
    let [packetType, p] = skipped;
    if (packetType === ExAudioPacketType.Multitrack) {
      if (p + 1 > b.length) return null;
      packetType = b[p]! & 0x0f;
      p += 1;
    }
    if (p + 4 > b.length) return null;
    return {
      codec: fourCc(b, p),
      enhanced: true,
      soundFormat,
      packetType,
      sequenceHeader: packetType === ExAudioPacketType.SequenceStart,
      dataOffset: p + 4,
    };
  }
  const codec = LEGACY_AUDIO_CODECS[soundFormat] ?? "";
  if (soundFormat === SoundFormat.Aac) {
    if (b.length < 2) return null;
    return {
      codec,
      enhanced: false,
      soundFormat,
      packetType: b[1]!,
      sequenceHeader: b[1] === 0,
      dataOffset: 2,
    };
  }
  return { codec, enhanced: false, soundFormat, packetType: -1, sequenceHeader: false, dataOffset: 1 };
}

/** A coded video keyframe (not a sequence header); no allocation for legacy headers. */
export function isVideoKeyframe(b: Buffer): boolean {
  if (b.length < 1) return false;
  const b0 = b[0]!;
  if ((b0 & 0x80) !== 0) return parseExVideo(b)?.keyframe ?? false;
  const codecId = b0 & 0x0f;
  if (codecId === VideoCodecId.Avc || codecId === VideoCodecId.Hevc) {
    return b0 >> 4 === VideoFrameType.Key && b.length >= 5 && b[1] === AvcPacketType.Nalu;
  }
  return b0 >> 4 === VideoFrameType.Key;
}

/** A video decoder configuration record; no allocation for legacy headers. */
export function isVideoSequenceHeader(b: Buffer): boolean {
  if (b.length < 1) return false;
  const b0 = b[0]!;
  if ((b0 & 0x80) !== 0) return parseExVideo(b)?.sequenceHeader ?? false;
  const codecId = b0 & 0x0f;
  return (codecId === VideoCodecId.Avc || codecId === VideoCodecId.Hevc) && b.length >= 5 && b[1] === 0;
}

/** An AAC AudioSpecificConfig / E-RTMP audio SequenceStart; no allocation for legacy headers. */
export function isAudioSequenceHeader(b: Buffer): boolean {
  if (b.length < 2) return false;
  if (b[0]! >> 4 === SoundFormat.Aac) return b[1] === 0;
  if (b[0]! >> 4 === SoundFormat.ExHeader) return parseAudioTagHeader(b)?.sequenceHeader ?? false;
  return false;
}

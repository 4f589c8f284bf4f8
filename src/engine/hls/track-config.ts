/**
 * The codec configuration of a published stream as its sequence headers
 * describe it: H.264 decoder configuration, AAC AudioSpecificConfig (→ ADTS)
 * or MP3. A changed configuration (new bytes) is reported so the segmenter
 * can start a new segment with a discontinuity.
 */
import {
  type AudioSpecificConfig,
  parseAudioSpecificConfig,
} from "../../protocol/flv/audio-specific-config.js";
import { SOUND_AAC, SOUND_MP3, SOUND_MP3_8K } from "../../protocol/flv/audio-tag.js";
import { type AvcDecoderConfig, parseAvcDecoderConfig } from "../../protocol/flv/avc-decoder-config.js";
import { type HevcDecoderConfig, parseHevcDecoderConfig } from "../../protocol/flv/hevc-decoder-config.js";
import { type AdtsParams, adtsParamsFor } from "../../protocol/mpegts/adts.js";
import type { TsAudioCodec, TsTracks, TsVideoCodec } from "../../protocol/mpegts/ts-muxer.js";

export interface AacTrack {
  asc: AudioSpecificConfig;
  adts: AdtsParams;
  raw: Buffer;
}

export type ConfigChange = "same" | "changed" | "unsupported";

export class TrackConfig {
  avc: AvcDecoderConfig | null = null;
  hevc: HevcDecoderConfig | null = null;
  #videoRaw: Buffer | null = null;
  aac: AacTrack | null = null;
  mp3 = false;

  get tracks(): TsTracks {
    const video: TsVideoCodec | null = this.avc ? "h264" : this.hevc ? "h265" : null;
    const audio: TsAudioCodec | null = this.aac ? "aac" : this.mp3 ? "mp3" : null;
    return { video, audio };
  }

  /** An AVC sequence header. Throws FlvError when it does not parse. */
  setAvc(record: Buffer): ConfigChange {
    if (this.avc && this.#videoRaw?.equals(record)) return "same";
    const copy = Buffer.from(record); // our own copy: SPS/PPS views must outlive the message
    this.avc = parseAvcDecoderConfig(copy);
    this.hevc = null;
    this.#videoRaw = copy;
    return "changed";
  }

  /** An HEVC sequence header (Enhanced RTMP hvc1). Throws FlvError when it does not parse. */
  setHevc(record: Buffer): ConfigChange {
    if (this.hevc && this.#videoRaw?.equals(record)) return "same";
    const copy = Buffer.from(record);
    this.hevc = parseHevcDecoderConfig(copy);
    this.avc = null;
    this.#videoRaw = copy;
    return "changed";
  }

  get hasVideo(): boolean {
    return this.avc !== null || this.hevc !== null;
  }

  /** An AAC sequence header. Throws FlvError when it does not parse. */
  setAac(ascBytes: Buffer): ConfigChange {
    if (this.aac?.raw.equals(ascBytes)) return "same";
    const asc = parseAudioSpecificConfig(ascBytes);
    const adts = adtsParamsFor(asc);
    if (!adts) return "unsupported";
    this.aac = { asc, adts, raw: Buffer.from(ascBytes) };
    this.mp3 = false;
    return "changed";
  }

  /** An MP3 frame: the first one (or a switch from AAC) is a change. */
  noteMp3(): ConfigChange {
    if (this.mp3) return "same";
    this.mp3 = true;
    this.aac = null;
    return "changed";
  }

  static isMp3(soundFormat: number): boolean {
    return soundFormat === SOUND_MP3 || soundFormat === SOUND_MP3_8K;
  }

  static isAac(soundFormat: number): boolean {
    return soundFormat === SOUND_AAC;
  }
}

export function sameTracks(a: TsTracks, b: TsTracks): boolean {
  return a.video === b.video && a.audio === b.audio;
}

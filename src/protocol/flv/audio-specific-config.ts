/**
 * AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1), as carried by an AAC
 * sequence header. We read what an ADTS header needs.
 */
import { FlvError } from "./flv-error.js";

/** ISO/IEC 14496-3 Table 1.16, samplingFrequencyIndex. */
export const AAC_SAMPLE_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
] as const;

export interface AudioSpecificConfig {
  /** audioObjectType as signalled (2 = LC, 5 = SBR/HE-AAC, 29 = PS...). */
  objectType: number;
  /** The core object type (for SBR/PS explicit signalling: the underlying one). */
  coreObjectType: number;
  /** Core sampling frequency index (0..12), or -1 with an explicit `sampleRate` that has none. */
  sampleRateIndex: number;
  sampleRate: number;
  channelConfig: number;
  /** 1024, or 960 when frameLengthFlag is set. */
  samplesPerFrame: number;
}

class BitReader {
  #pos = 0;
  constructor(private readonly buf: Buffer) {}
  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.#pos >> 3;
      if (byte >= this.buf.length) {
        throw new FlvError("ONAIR_FLV_BAD_AAC_CONFIG", "AudioSpecificConfig truncated", {
          bit: this.#pos,
        });
      }
      v = v * 2 + ((this.buf[byte]! >> (7 - (this.#pos & 7))) & 1);
      this.#pos++;
    }
    return v;
  }
}

function objectType(r: BitReader): number {
  const t = r.bits(5);
  return t === 31 ? 32 + r.bits(6) : t;
}

function sampleRate(r: BitReader): { index: number; rate: number } {
  const index = r.bits(4);
  if (index === 15) {
    const rate = r.bits(24);
    const known = AAC_SAMPLE_RATES.indexOf(rate as (typeof AAC_SAMPLE_RATES)[number]);
    return { index: known, rate };
  }
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) {
    throw new FlvError("ONAIR_FLV_BAD_AAC_CONFIG", `reserved samplingFrequencyIndex ${index}`, { index });
  }
  return { index, rate };
}

export function parseAudioSpecificConfig(buf: Buffer): AudioSpecificConfig {
  const r = new BitReader(buf);
  const ot = objectType(r);
  if (ot === 0) throw new FlvError("ONAIR_FLV_BAD_AAC_CONFIG", "audioObjectType 0 (null)");
  const sr = sampleRate(r);
  const channelConfig = r.bits(4);
  let core = ot;
  if (ot === 5 || ot === 29) {
    // explicit SBR/PS signalling: extension rate, then the core object type
    sampleRate(r);
    core = objectType(r);
  }
  let samplesPerFrame = 1024;
  // GASpecificConfig for the general audio types: frameLengthFlag first
  if ([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23].includes(core)) {
    try {
      if (r.bits(1) === 1) samplesPerFrame = 960;
    } catch {
      /* some encoders stop after channelConfiguration; 1024 then */
    }
  }
  return {
    objectType: ot,
    coreObjectType: core,
    sampleRateIndex: sr.index,
    sampleRate: sr.rate,
    channelConfig,
    samplesPerFrame,
  };
}

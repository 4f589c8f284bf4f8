/**
 * MPEG-TS muxer (ISO/IEC 13818-1): PAT/PMT at the start of every segment,
 * PES packets split into 188-byte TS packets written straight into the
 * segment's buffer (no per-packet allocation), continuity counters per PID,
 * PCR and random_access_indicator in the first packet of a PES, adaptation
 * field stuffing in the last one.
 */
import { GrowBuffer } from "./grow-buffer.js";
import { buildPat, buildPmt, type PmtStream } from "./psi.js";
import { writePcr, writeTimestamp } from "./timestamps.js";
import {
  PID_AUDIO,
  PID_PAT,
  PID_PMT,
  PID_VIDEO,
  STREAM_ID_AUDIO,
  STREAM_ID_VIDEO,
  STREAM_TYPE_AAC_ADTS,
  STREAM_TYPE_H264,
  STREAM_TYPE_HEVC,
  STREAM_TYPE_MPEG1_AUDIO,
  TS_PACKET_SIZE,
  TS_SYNC_BYTE,
} from "./ts-constants.js";

export type TsVideoCodec = "h264" | "h265";
export type TsAudioCodec = "aac" | "mp3";

export interface TsTracks {
  video: TsVideoCodec | null;
  audio: TsAudioCodec | null;
}

export interface PesFrame {
  /** 90 kHz, 33-bit. */
  pts: number;
  /** 90 kHz; equal to pts when there is no reordering. */
  dts: number;
  key: boolean;
  /** Write a PCR (= dts - pcrDelay) in the first packet. */
  pcr: boolean;
  payload: Buffer;
}

/** PCR runs this far behind DTS, so every frame arrives before it must be decoded. */
export const PCR_DELAY_90K = 9000;
const PAYLOAD_PER_PACKET = TS_PACKET_SIZE - 4;

export class TsMuxer {
  #tracks: TsTracks;
  #pat = buildPat();
  #pmt: Buffer;
  /** Continuity counter per PID (13-bit PIDs). */
  #cc = new Uint8Array(0x2000);
  #out: GrowBuffer = new GrowBuffer(TS_PACKET_SIZE * 8);

  constructor(tracks: TsTracks) {
    this.#tracks = { ...tracks };
    this.#pmt = this.#buildPmt();
  }

  get tracks(): TsTracks {
    return this.#tracks;
  }

  /** Changes the stream list; the next `beginSegment` writes the new PMT. */
  setTracks(tracks: TsTracks): void {
    this.#tracks = { ...tracks };
    this.#pmt = this.#buildPmt();
  }

  get pcrPid(): number {
    return this.#tracks.video ? PID_VIDEO : PID_AUDIO;
  }

  #buildPmt(): Buffer {
    const streams: PmtStream[] = [];
    if (this.#tracks.video) {
      const type = this.#tracks.video === "h264" ? STREAM_TYPE_H264 : STREAM_TYPE_HEVC;
      streams.push({ streamType: type, pid: PID_VIDEO });
    }
    if (this.#tracks.audio) {
      const type = this.#tracks.audio === "aac" ? STREAM_TYPE_AAC_ADTS : STREAM_TYPE_MPEG1_AUDIO;
      streams.push({ streamType: type, pid: PID_AUDIO });
    }
    return buildPmt(streams, this.pcrPid);
  }

  #nextCc(pid: number): number {
    const cc = this.#cc[pid]!;
    this.#cc[pid] = (cc + 1) & 0x0f;
    return cc;
  }

  /** Starts a segment in a fresh buffer of `capacity` bytes; writes PAT and PMT. */
  beginSegment(capacity: number): void {
    this.#out = new GrowBuffer(Math.max(capacity, TS_PACKET_SIZE * 16));
    this.#writeTable(PID_PAT, this.#pat);
    this.#writeTable(PID_PMT, this.#pmt);
  }

  /** The bytes written since `beginSegment` (the buffer is then owned by the caller). */
  finishSegment(): Buffer {
    const v = this.#out.view();
    this.#out = new GrowBuffer(TS_PACKET_SIZE * 8);
    return v;
  }

  get segmentBytes(): number {
    return this.#out.length;
  }

  #writeTable(pid: number, table: Buffer): void {
    const o = this.#out;
    o.ensure(TS_PACKET_SIZE);
    table.copy(o.buf, o.length);
    o.buf[o.length + 3] = 0x10 | this.#nextCc(pid);
    o.length += TS_PACKET_SIZE;
  }

  writeVideo(f: PesFrame): void {
    this.#writePes(PID_VIDEO, STREAM_ID_VIDEO, f);
  }

  writeAudio(f: PesFrame): void {
    this.#writePes(PID_AUDIO, STREAM_ID_AUDIO, f);
  }

  /** 2.4.3.6 PES packet, then 2.4.3.2 transport packets. */
  #writePes(pid: number, streamId: number, f: PesFrame): void {
    const withDts = f.dts !== f.pts;
    const hdrLen = 9 + (withDts ? 10 : 5);
    const total = hdrLen + f.payload.length;
    const o = this.#out;
    o.ensure((Math.ceil(total / (PAYLOAD_PER_PACKET - 8)) + 1) * TS_PACKET_SIZE);
    const b = o.buf;
    let payloadPos = 0;
    let first = true;
    while (first || payloadPos < f.payload.length) {
      const p = o.length;
      b[p] = TS_SYNC_BYTE;
      b[p + 1] = (first ? 0x40 : 0) | (pid >> 8);
      b[p + 2] = pid & 0xff;
      const cc = this.#nextCc(pid);
      let afLen = 0; // bytes of adaptation field including its length byte
      let afFlags = 0;
      if (first) {
        if (f.key) afFlags |= 0x40;
        if (f.pcr) afFlags |= 0x10;
        if (afFlags) afLen = 2 + (f.pcr ? 6 : 0);
      }
      const headerHere = first ? hdrLen : 0;
      const space = PAYLOAD_PER_PACKET - afLen - headerHere;
      const left = f.payload.length - payloadPos;
      const take = Math.min(space, left);
      const stuffing = space - take;
      let q = p + 4;
      if (afLen > 0 || stuffing > 0) {
        const fullAf = afLen + stuffing; // total adaptation field bytes
        b[p + 3] = 0x30 | cc;
        b[q] = fullAf - 1; // adaptation_field_length
        if (fullAf > 1) {
          b[q + 1] = afFlags;
          let r = q + 2;
          if (f.pcr && first) {
            writePcr(b, r, f.dts - PCR_DELAY_90K);
            r += 6;
          }
          b.fill(0xff, r, q + fullAf);
        }
        q += fullAf;
      } else {
        b[p + 3] = 0x10 | cc;
      }
      if (first) {
        q = this.#writePesHeader(b, q, streamId, f, withDts, total);
        first = false;
      }
      f.payload.copy(b, q, payloadPos, payloadPos + take);
      payloadPos += take;
      o.length = p + TS_PACKET_SIZE;
    }
  }

  #writePesHeader(
    b: Buffer,
    q: number,
    streamId: number,
    f: PesFrame,
    withDts: boolean,
    total: number,
  ): number {
    b[q] = 0;
    b[q + 1] = 0;
    b[q + 2] = 1;
    b[q + 3] = streamId;
    const pesLen = total - 6;
    b.writeUInt16BE(pesLen > 0xffff ? 0 : pesLen, q + 4);
    b[q + 6] = 0x80; // '10', no scrambling
    b[q + 7] = withDts ? 0xc0 : 0x80;
    b[q + 8] = withDts ? 10 : 5;
    writeTimestamp(b, q + 9, withDts ? 3 : 2, f.pts);
    if (withDts) writeTimestamp(b, q + 14, 1, f.dts);
    return q + 9 + (withDts ? 10 : 5);
  }
}

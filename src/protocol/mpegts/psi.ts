/**
 * Program Specific Information (ISO/IEC 13818-1 2.4.4): one-section PAT and
 * PMT, each in one TS packet padded with 0xFF, CRC-32/MPEG-2 at the end.
 */
import { crc32Mpeg2 } from "./crc32-mpeg2.js";
import { PID_PAT, PID_PMT, TS_PACKET_SIZE, TS_SYNC_BYTE } from "./ts-constants.js";

export interface PmtStream {
  streamType: number;
  pid: number;
}

function packet(pid: number, section: number[]): Buffer {
  const b = Buffer.alloc(TS_PACKET_SIZE, 0xff);
  b[0] = TS_SYNC_BYTE;
  b[1] = 0x40 | (pid >> 8); // payload_unit_start_indicator
  b[2] = pid & 0xff;
  b[3] = 0x10; // payload only, cc patched per use
  b[4] = 0; // pointer_field
  const s = Buffer.from(section);
  s.copy(b, 5);
  const crc = crc32Mpeg2(b, 5, 5 + s.length);
  b.writeUInt32BE(crc, 5 + s.length);
  return b;
}

/** 2.4.4.3 program_association_section with program 1 → PMT PID. */
export function buildPat(pmtPid = PID_PMT): Buffer {
  const body = [0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xe0 | (pmtPid >> 8), pmtPid & 0xff];
  const sectionLength = body.length + 4; // + CRC
  return packet(PID_PAT, [0x00, 0xb0 | (sectionLength >> 8), sectionLength & 0xff, ...body]);
}

/** 2.4.4.8 TS_program_map_section for program 1, listing only `streams`. */
export function buildPmt(streams: PmtStream[], pcrPid: number, pmtPid = PID_PMT): Buffer {
  const body: number[] = [0x00, 0x01, 0xc1, 0x00, 0x00, 0xe0 | (pcrPid >> 8), pcrPid & 0xff, 0xf0, 0x00];
  for (const s of streams) body.push(s.streamType, 0xe0 | (s.pid >> 8), s.pid & 0xff, 0xf0, 0x00);
  const sectionLength = body.length + 4;
  return packet(pmtPid, [0x02, 0xb0 | (sectionLength >> 8), sectionLength & 0xff, ...body]);
}

/** ISO/IEC 13818-1 constants used by the muxer. */
export const TS_PACKET_SIZE = 188;
export const TS_SYNC_BYTE = 0x47;
export const PID_PAT = 0x0000;
/** The PIDs nginx-rtmp (and many muxers) use. */
export const PID_PMT = 0x1000;
export const PID_VIDEO = 0x0100;
export const PID_AUDIO = 0x0101;
/** Table 2-34 stream_type. */
export const STREAM_TYPE_MPEG1_AUDIO = 0x03;
export const STREAM_TYPE_AAC_ADTS = 0x0f;
export const STREAM_TYPE_H264 = 0x1b;
export const STREAM_TYPE_HEVC = 0x24;
/** Table 2-22 stream_id. */
export const STREAM_ID_VIDEO = 0xe0;
export const STREAM_ID_AUDIO = 0xc0;

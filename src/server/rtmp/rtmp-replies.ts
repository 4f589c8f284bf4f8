/**
 * The replies the RTMP session sends, named as the session uses them. The
 * wire shapes, status codes and descriptions are the protocol layer's
 * (`protocol/rtmp/status.ts`, `protocol/rtmp/messages/*`, both written after
 * nginx-rtmp); this file only picks and names them.
 */
import {
  Acknowledgement,
  BandwidthLimit,
  commandResult,
  connectRejected,
  connectResult,
  onFcPublish,
  onStatus,
  SetChunkSize,
  SetPeerBandwidth,
  Status,
  sampleAccess,
  UserControlMessage,
  WindowAckSize,
} from "../../protocol/rtmp/index.js";
import type { RtmpMessage } from "../../protocol/rtmp/message.js";

export { commandResult, connectRejected, connectResult, onFcPublish, Status, sampleAccess };

export const setChunkSize = (size: number): RtmpMessage => SetChunkSize.message(size);
export const windowAckSize = (size: number): RtmpMessage => WindowAckSize.message(size);
export const acknowledgement = (seq: number): RtmpMessage => Acknowledgement.message(seq);
/** Set Peer Bandwidth with the dynamic limit type, as nginx-rtmp sends. */
export const setPeerBandwidth = (size: number): RtmpMessage =>
  SetPeerBandwidth.message({ size, limit: BandwidthLimit.Dynamic });
export const streamBegin = (streamId: number): RtmpMessage => UserControlMessage.streamBegin(streamId);
export const streamEof = (streamId: number): RtmpMessage => UserControlMessage.streamEof(streamId);
export const pingRequest = (ts: number): RtmpMessage => UserControlMessage.pingRequest(ts);
export const pingResponse = (ts: number): RtmpMessage => UserControlMessage.pingResponse(ts);

/** onStatus with one of the protocol layer's statuses, optionally with another description. */
export function status(streamId: number, s: (typeof Status)[keyof typeof Status], description?: string) {
  return onStatus(streamId, description === undefined ? s : { ...s, description });
}

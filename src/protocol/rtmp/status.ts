/**
 * Replies the server sends, shaped as nginx-rtmp 1.2 sends them
 * (ngx_rtmp_cmd_module.c, ngx_rtmp_live_module.c, ngx_rtmp_send.c):
 * onStatus(0, null, {level, code, description}) on chunk stream 5, message
 * stream of the NetStream; connect's _result on chunk stream 3.
 */
import type { AmfObject, AmfValue } from "../amf/index.js";
import type { RtmpMessage } from "./message.js";
import { Command } from "./messages/command.js";
import { DataMessage } from "./messages/data.js";

/** nginx-rtmp's NGX_RTMP_FMS_VERSION and NGX_RTMP_CAPABILITIES. */
export const FMS_VERSION = "FMS/3,0,1,123";
export const FMS_CAPABILITIES = 31;
/** Chunk stream nginx-rtmp sends onStatus and |RtmpSampleAccess on (NGX_RTMP_CSID_AMF). */
export const CSID_STATUS = 5;

/** Enhanced RTMP: the FourCCs whose extended video tags onair relays (E-RTMP v1 "fourCcList"). */
export const VIDEO_FOURCC_LIST = ["avc1", "hvc1", "av01", "vp09"] as const;
/** E-RTMP v2 FourCcInfoMask: CanDecode 1, CanEncode 2, CanForward 4. A relay can forward. */
export const FOURCC_CAN_FORWARD = 4;
/** E-RTMP v2 CapsExMask: Reconnect 1, Multitrack 2, ModEx 4, TimestampNanoOffset 8. None claimed. */
export const CAPS_EX = 0;

export type StatusLevel = "status" | "warning" | "error";

/** Status codes onair sends, with nginx-rtmp's level and description. */
export const Status = {
  ConnectSuccess: {
    level: "status",
    code: "NetConnection.Connect.Success",
    description: "Connection succeeded.",
  },
  ConnectRejected: {
    level: "error",
    code: "NetConnection.Connect.Rejected",
    description: "Connection rejected.",
  },
  PublishStart: { level: "status", code: "NetStream.Publish.Start", description: "Start publishing" },
  PublishBadName: { level: "error", code: "NetStream.Publish.BadName", description: "Already publishing" },
  UnpublishSuccess: { level: "status", code: "NetStream.Unpublish.Success", description: "Stop publishing" },
  PlayStart: { level: "status", code: "NetStream.Play.Start", description: "Start live" },
  PlayReset: { level: "status", code: "NetStream.Play.Reset", description: "Playing and resetting" },
  PlayStop: { level: "status", code: "NetStream.Play.Stop", description: "Stop live" },
  PlayStreamNotFound: {
    level: "error",
    code: "NetStream.Play.StreamNotFound",
    description: "No such stream",
  },
  PlayPublishNotify: {
    level: "status",
    code: "NetStream.Play.PublishNotify",
    description: "Start publishing",
  },
  PlayUnpublishNotify: {
    level: "status",
    code: "NetStream.Play.UnpublishNotify",
    description: "Stop publishing",
  },
  PauseNotify: { level: "status", code: "NetStream.Pause.Notify", description: "Paused live" },
  UnpauseNotify: { level: "status", code: "NetStream.Unpause.Notify", description: "Unpaused live" },
} as const satisfies Record<string, { level: StatusLevel; code: string; description: string }>;

export interface StatusInfo {
  level: StatusLevel | string;
  code: string;
  description: string;
}

/** The info object in nginx-rtmp's key order: level, code, description (+ extra fields). */
export function statusObject(info: StatusInfo, extra: AmfObject = {}): AmfObject {
  return { level: info.level, code: info.code, description: info.description, ...extra };
}

/** onStatus(0, null, info) for NetStream `streamId`. */
export function onStatus(streamId: number, info: StatusInfo, extra?: AmfObject): RtmpMessage {
  return Command.message(
    { name: "onStatus", transactionId: 0, commandObject: null, args: [statusObject(info, extra)] },
    { streamId, csid: CSID_STATUS },
  );
}

export interface ConnectResultOptions {
  transactionId: number;
  /** Echo of the client's objectEncoding (0 AMF0, 3 AMF3). */
  objectEncoding?: number;
  /** Add Enhanced RTMP fourCcList / videoFourCcInfoMap / capsEx (when the client sent any). */
  enhanced?: boolean;
}

/** _result for connect: {fmsVer, capabilities} and NetConnection.Connect.Success. */
export function connectResult(opts: ConnectResultOptions): RtmpMessage {
  const props: AmfObject = { fmsVer: FMS_VERSION, capabilities: FMS_CAPABILITIES };
  if (opts.enhanced) {
    props.fourCcList = [...VIDEO_FOURCC_LIST];
    props.videoFourCcInfoMap = Object.fromEntries(VIDEO_FOURCC_LIST.map((f) => [f, FOURCC_CAN_FORWARD]));
    props.capsEx = CAPS_EX;
  }
  const info = statusObject(Status.ConnectSuccess, { objectEncoding: opts.objectEncoding ?? 0 });
  return Command.message({
    name: "_result",
    transactionId: opts.transactionId,
    commandObject: props,
    args: [info],
  });
}

/** _error for connect (unknown application, access denied): NetConnection.Connect.Rejected. */
export function connectRejected(transactionId: number, description?: string): RtmpMessage {
  const info = statusObject({
    ...Status.ConnectRejected,
    description: description ?? Status.ConnectRejected.description,
  });
  return Command.message({ name: "_error", transactionId, commandObject: null, args: [info] });
}

/** _result(transactionId, null, ...values): createStream's reply carries the new stream id. */
export function commandResult(transactionId: number, ...values: AmfValue[]): RtmpMessage {
  return Command.message({ name: "_result", transactionId, commandObject: null, args: values });
}

/** onFCPublish / onFCUnpublish(0, null, {level, code, description: stream name}) as FMS sends. */
export function onFcPublish(name: string, unpublish = false): RtmpMessage {
  const info = unpublish
    ? { level: "status", code: "NetStream.Unpublish.Success", description: name }
    : { level: "status", code: "NetStream.Publish.Start", description: name };
  return Command.message({
    name: unpublish ? "onFCUnpublish" : "onFCPublish",
    transactionId: 0,
    commandObject: null,
    args: [statusObject(info)],
  });
}

/** |RtmpSampleAccess(true, true) data message sent to a player after Play.Start. */
export function sampleAccess(streamId: number): RtmpMessage {
  return DataMessage.message(DataMessage.encode("|RtmpSampleAccess", true, true), {
    streamId,
    csid: CSID_STATUS,
  });
}

/**
 * Commands a client sends (RTMP spec 7.2.1, 7.2.2), shaped as ffmpeg sends
 * them: for tests, benchmarks and relays acting as a client.
 */
import type { AmfObject } from "../../amf/index.js";
import type { RtmpMessage } from "../message.js";
import { Command } from "./command.js";

/** Chunk stream ffmpeg sends NetConnection commands on (3) and NetStream commands on (8). */
const CSID_CONNECTION = 3;
const CSID_STREAM = 8;

export interface ConnectOptions {
  app: string;
  tcUrl: string;
  flashVer?: string;
  /** Extra command object fields (e.g. Enhanced RTMP fourCcList). */
  extra?: AmfObject;
}

export const ClientCommand = {
  connect(opts: ConnectOptions, transactionId = 1): RtmpMessage {
    const obj: AmfObject = {
      app: opts.app,
      type: "nonprivate",
      flashVer: opts.flashVer ?? "FMLE/3.0 (compatible; onair)",
      tcUrl: opts.tcUrl,
      ...opts.extra,
    };
    return Command.message(
      { name: "connect", transactionId, commandObject: obj, args: [] },
      { csid: CSID_CONNECTION },
    );
  },
  /** releaseStream / FCPublish / FCUnpublish(name) on the NetConnection. */
  streamNotice(
    name: "releaseStream" | "FCPublish" | "FCUnpublish",
    stream: string,
    transactionId: number,
  ): RtmpMessage {
    return Command.message(
      { name, transactionId, commandObject: null, args: [stream] },
      { csid: CSID_CONNECTION },
    );
  },
  createStream(transactionId: number): RtmpMessage {
    return Command.message(
      { name: "createStream", transactionId, commandObject: null, args: [] },
      { csid: CSID_CONNECTION },
    );
  },
  publish(streamId: number, name: string, type = "live"): RtmpMessage {
    return Command.message(
      { name: "publish", transactionId: 0, commandObject: null, args: [name, type] },
      { streamId, csid: CSID_STREAM },
    );
  },
  /** play(name, start = -2 live or recorded, duration = -1 all, reset). */
  play(streamId: number, name: string, start = -2, duration = -1, reset?: boolean): RtmpMessage {
    const args = reset === undefined ? [name, start, duration] : [name, start, duration, reset];
    return Command.message(
      { name: "play", transactionId: 0, commandObject: null, args },
      { streamId, csid: CSID_STREAM },
    );
  },
  deleteStream(streamId: number, transactionId = 0): RtmpMessage {
    return Command.message(
      { name: "deleteStream", transactionId, commandObject: null, args: [streamId] },
      { csid: CSID_CONNECTION },
    );
  },
};

/**
 * Command messages (type 20 AMF0, type 17 AMF3; RTMP spec 7.1.1, 7.2):
 * name, transaction id, command object, then optional arguments.
 * Type 17 payloads start with one format byte (0), then AMF0 values that may
 * switch to AMF3 (marker 0x11) — as FMS, nginx-rtmp and ffmpeg read them.
 */
import { type AmfLimits, type AmfValue, decodeAmf0, encodeAmf0 } from "../../amf/index.js";
import { Csid } from "../chunk-header.js";
import { MessageType, type RtmpMessage } from "../message.js";
import { RtmpErrorCode, RtmpProtocolError } from "../rtmp-error.js";

export interface RtmpCommand {
  name: string;
  transactionId: number;
  /** Command object (null when the command has none). */
  commandObject: AmfValue;
  /** Arguments after the command object (stream name, start, ...). */
  args: AmfValue[];
}

/** Decodes the AMF values of a command or data message payload of message type `type`. */
export function decodeAmfPayload(payload: Buffer, type: number, limits?: Partial<AmfLimits>): AmfValue[] {
  const amf3 = type === MessageType.CommandAmf3 || type === MessageType.DataAmf3;
  const offset = amf3 && payload.length > 0 && payload[0] === 0 ? 1 : 0;
  return decodeAmf0(payload, limits, offset);
}

export const Command = {
  /** Throws AmfError (bad AMF) or RtmpProtocolError ONAIR_RTMP_BAD_MESSAGE (no command name). */
  decode(payload: Buffer, type: number = MessageType.CommandAmf0, limits?: Partial<AmfLimits>): RtmpCommand {
    const values = decodeAmfPayload(payload, type, limits);
    const [name, transactionId, commandObject, ...args] = values;
    if (typeof name !== "string") {
      throw new RtmpProtocolError(RtmpErrorCode.BadMessage, "command message without a command name", {
        type,
      });
    }
    return {
      name,
      transactionId: typeof transactionId === "number" ? transactionId : 0,
      commandObject: commandObject === undefined ? null : commandObject,
      args,
    };
  },
  /** AMF0 payload; `amf3` prefixes the format byte for message type 17. */
  encode(cmd: RtmpCommand, amf3 = false): Buffer {
    const body = encodeAmf0(cmd.name, cmd.transactionId, cmd.commandObject, ...cmd.args);
    return amf3 ? Buffer.concat([Buffer.from([0]), body]) : body;
  },
  message(
    cmd: RtmpCommand,
    opts: { streamId?: number; csid?: number; timestamp?: number; amf3?: boolean } = {},
  ): RtmpMessage {
    return {
      type: opts.amf3 ? MessageType.CommandAmf3 : MessageType.CommandAmf0,
      streamId: opts.streamId ?? 0,
      timestamp: opts.timestamp ?? 0,
      payload: Command.encode(cmd, opts.amf3),
      csid: opts.csid ?? Csid.Command,
    };
  },
};

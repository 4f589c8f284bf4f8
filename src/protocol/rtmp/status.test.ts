import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeChunks } from "./chunk-decoder.js";
import { encodeChunks } from "./chunk-encoder.js";
import { MessageType } from "./message.js";
import { Command } from "./messages/command.js";
import { DataMessage } from "./messages/data.js";
import {
  commandResult,
  connectRejected,
  connectResult,
  onFcPublish,
  onStatus,
  Status,
  sampleAccess,
  VIDEO_FOURCC_LIST,
} from "./status.js";

test("connect _result as nginx-rtmp sends it", () => {
  const m = connectResult({ transactionId: 1, objectEncoding: 3 });
  assert.equal(m.csid, 3);
  assert.equal(m.type, MessageType.CommandAmf0);
  assert.deepEqual(Command.decode(m.payload), {
    name: "_result",
    transactionId: 1,
    commandObject: { fmsVer: "FMS/3,0,1,123", capabilities: 31 },
    args: [
      {
        level: "status",
        code: "NetConnection.Connect.Success",
        description: "Connection succeeded.",
        objectEncoding: 3,
      },
    ],
  });
});

test("connect _result with Enhanced RTMP fourCcList and capsEx", () => {
  const cmd = Command.decode(connectResult({ transactionId: 1, enhanced: true }).payload);
  const props = cmd.commandObject as Record<string, unknown>;
  assert.deepEqual(props.fourCcList, [...VIDEO_FOURCC_LIST]);
  assert.deepEqual(props.videoFourCcInfoMap, { avc1: 4, hvc1: 4, av01: 4, vp09: 4 });
  assert.equal(props.capsEx, 0);
});

test("onStatus, _error, createStream _result, onFCPublish, |RtmpSampleAccess", () => {
  const st = onStatus(1, Status.PublishBadName);
  assert.equal(st.streamId, 1);
  assert.equal(st.csid, 5);
  assert.deepEqual(Command.decode(st.payload).args, [
    { level: "error", code: "NetStream.Publish.BadName", description: "Already publishing" },
  ]);
  const rej = Command.decode(connectRejected(1, "no such application").payload);
  assert.equal(rej.name, "_error");
  assert.deepEqual(rej.args[0], {
    level: "error",
    code: "NetConnection.Connect.Rejected",
    description: "no such application",
  });
  assert.deepEqual(Command.decode(commandResult(4, 1).payload), {
    name: "_result",
    transactionId: 4,
    commandObject: null,
    args: [1],
  });
  assert.equal(Command.decode(onFcPublish("test").payload).name, "onFCPublish");
  assert.equal(Command.decode(onFcPublish("test", true).payload).name, "onFCUnpublish");
  const sa = sampleAccess(1);
  assert.equal(sa.type, MessageType.DataAmf0);
  assert.deepEqual(DataMessage.decode(sa.payload), ["|RtmpSampleAccess", true, true]);
  // Builders produce messages the chunk layer carries unchanged.
  assert.deepEqual(decodeChunks(encodeChunks(st, 128)), [st]);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { OnairError } from "../../../util/errors.js";
import { type AmfValue, markEcmaArray } from "../../amf/index.js";
import { MessageType } from "../message.js";
import { RtmpErrorCode } from "../rtmp-error.js";
import { Abort } from "./abort.js";
import { Acknowledgement } from "./acknowledgement.js";
import { ClientCommand } from "./client-commands.js";
import { Command, type RtmpCommand } from "./command.js";
import { DataMessage, metadataFrame } from "./data.js";
import { SetChunkSize } from "./set-chunk-size.js";
import { BandwidthLimit, type PeerBandwidth, SetPeerBandwidth } from "./set-peer-bandwidth.js";
import { type UserControl, UserControlEvent, UserControlMessage } from "./user-control.js";
import { WindowAckSize } from "./window-ack-size.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

interface Codec<T> {
  decode(payload: Buffer): T;
  encode(v: T): Buffer;
}

interface Fixture<T> {
  name: string;
  codec: Codec<T>;
  decoded: T;
  encoded: Buffer;
}

function fx<T>(name: string, codec: Codec<T>, decoded: T, encoded: string): Fixture<unknown> {
  return { name, codec, decoded, encoded: hex(encoded) } as Fixture<unknown>;
}

const amf0Command: Codec<RtmpCommand> = {
  decode: (p) => Command.decode(p),
  encode: (c) => Command.encode(c),
};
const amf3Command: Codec<RtmpCommand> = {
  decode: (p) => Command.decode(p, MessageType.CommandAmf3),
  encode: (c) => Command.encode(c, true),
};

/** One table drives decode, encode and the fuzz seeds of every message codec. */
export const MESSAGE_FIXTURES: Fixture<unknown>[] = [
  fx("Set Chunk Size 4096", SetChunkSize, 4096, "00001000"),
  fx("Abort csid 6", Abort, 6, "00000006"),
  fx("Acknowledgement", Acknowledgement, 5_000_000, "004c4b40"),
  fx("Window Acknowledgement Size", WindowAckSize, 2_500_000, "002625a0"),
  fx<PeerBandwidth>(
    "Set Peer Bandwidth dynamic",
    SetPeerBandwidth,
    { size: 5_000_000, limit: BandwidthLimit.Dynamic },
    "004c4b40 02",
  ),
  fx<UserControl>(
    "StreamBegin 1",
    UserControlMessage,
    { event: UserControlEvent.StreamBegin, streamId: 1 },
    "0000 00000001",
  ),
  fx<UserControl>(
    "StreamEOF 1",
    UserControlMessage,
    { event: UserControlEvent.StreamEOF, streamId: 1 },
    "0001 00000001",
  ),
  fx<UserControl>(
    "StreamDry 1",
    UserControlMessage,
    { event: UserControlEvent.StreamDry, streamId: 1 },
    "0002 00000001",
  ),
  fx<UserControl>(
    "SetBufferLength 1 3000 ms",
    UserControlMessage,
    { event: UserControlEvent.SetBufferLength, streamId: 1, bufferLength: 3000 },
    "0003 00000001 00000bb8",
  ),
  fx<UserControl>(
    "StreamIsRecorded 1",
    UserControlMessage,
    { event: UserControlEvent.StreamIsRecorded, streamId: 1 },
    "0004 00000001",
  ),
  fx<UserControl>(
    "PingRequest",
    UserControlMessage,
    { event: UserControlEvent.PingRequest, timestamp: 1234 },
    "0006 000004d2",
  ),
  fx<UserControl>(
    "PingResponse",
    UserControlMessage,
    { event: UserControlEvent.PingResponse, timestamp: 1234 },
    "0007 000004d2",
  ),
  fx<UserControl>(
    "unknown event kept raw",
    UserControlMessage,
    { event: 31, data: hex("0102") },
    "001f 0102",
  ),
  fx<RtmpCommand>(
    "createStream (AMF0)",
    amf0Command,
    { name: "createStream", transactionId: 4, commandObject: null, args: [] },
    "02 000c 63726561746553747265616d 00 4010000000000000 05",
  ),
  fx<RtmpCommand>(
    "publish (AMF0)",
    amf0Command,
    { name: "publish", transactionId: 5, commandObject: null, args: ["test", "live"] },
    "02 0007 7075626c697368 00 4014000000000000 05 02 0004 74657374 02 0004 6c697665",
  ),
  fx<RtmpCommand>(
    "play (AMF3 command message, format byte 0)",
    amf3Command,
    { name: "play", transactionId: 0, commandObject: null, args: ["s", -2000] },
    "00 02 0004 706c6179 00 0000000000000000 05 02 0001 73 00 c09f400000000000",
  ),
];

for (const f of MESSAGE_FIXTURES) {
  test(`message decode: ${f.name}`, () => {
    assert.deepEqual(f.codec.decode(f.encoded), f.decoded);
  });
  test(`message encode: ${f.name}`, () => {
    assert.equal(f.codec.encode(f.decoded).toString("hex"), f.encoded.toString("hex"));
  });
}

test("control message builders use chunk stream 2, message stream 0", () => {
  for (const m of [SetChunkSize.message(4096), WindowAckSize.message(1), UserControlMessage.pingRequest(1)]) {
    assert.equal(m.csid, 2);
    assert.equal(m.streamId, 0);
  }
});

test("command with AMF3 values switched in (type 17) decodes", () => {
  // 00 format byte; "connect", 1, object via AMF3 switch {app: "live"}
  const payload = hex(
    "00 02 0007 636f6e6e656374 00 3ff0000000000000 11 0a 0b 01 07 617070 06 09 6c697665 01",
  );
  assert.deepEqual(Command.decode(payload, MessageType.CommandAmf3), {
    name: "connect",
    transactionId: 1,
    commandObject: { app: "live" },
    args: [],
  });
});

test("command without a name is a typed error", () => {
  assert.throws(() => Command.decode(hex("00 3ff0000000000000")), { code: RtmpErrorCode.BadMessage });
  assert.throws(() => SetChunkSize.decode(hex("0000")), { code: RtmpErrorCode.BadMessage });
  assert.throws(() => SetChunkSize.decode(hex("00000000")), { code: RtmpErrorCode.BadChunkSize });
});

test("@setDataFrame is stripped without copying; players get onMetaData", () => {
  const meta = markEcmaArray({ width: 640, height: 360, videocodecid: 7 });
  const payload = DataMessage.encode("@setDataFrame", "onMetaData", meta);
  const frame = metadataFrame(payload, MessageType.DataAmf0);
  assert.ok(frame, "metadata frame");
  assert.equal(frame.payload.buffer, payload.buffer);
  assert.deepEqual(DataMessage.decode(frame.payload), ["onMetaData", meta]);
  assert.deepEqual(frame.metadata, meta);
  const direct = DataMessage.encode("onMetaData", { duration: 0 });
  assert.equal(metadataFrame(direct, MessageType.DataAmf0)?.payload, direct);
  assert.equal(
    metadataFrame(DataMessage.encode("|RtmpSampleAccess", true, true), MessageType.DataAmf0),
    null,
  );
});

test("@setDataFrame in an AMF3 data message (type 15) is re-encoded as AMF0", () => {
  const payload = Buffer.concat([hex("00"), DataMessage.encode("@setDataFrame", "onMetaData", { fps: 25 })]);
  const frame = metadataFrame(payload, MessageType.DataAmf3);
  assert.deepEqual(DataMessage.decode(frame!.payload), ["onMetaData", { fps: 25 }]);
});

test("property: command encode/decode round trip", () => {
  const simple: fc.Arbitrary<AmfValue> = fc.oneof(fc.double(), fc.string(), fc.constant(null), fc.boolean());
  fc.assert(
    fc.property(
      fc.string(),
      fc.double({ noNaN: true }),
      fc.oneof(
        fc.constant(null),
        fc.dictionary(
          fc.string().filter((k) => k !== "__proto__" && k !== ""),
          simple,
        ),
      ),
      fc.array(simple, { maxLength: 4 }),
      fc.boolean(),
      (name, transactionId, commandObject, args, amf3) => {
        const cmd: RtmpCommand = { name, transactionId, commandObject, args };
        const type = amf3 ? MessageType.CommandAmf3 : MessageType.CommandAmf0;
        assert.deepEqual(Command.decode(Command.encode(cmd, amf3), type), cmd);
      },
    ),
    { numRuns: 300 },
  );
});

test("property: message decoders on random and mutated bytes raise only OnairError", () => {
  const mutated = fc
    .tuple(
      fc.constantFrom(...MESSAGE_FIXTURES),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.nat(40),
    )
    .map(([f, edits, cut]) => {
      const b = Buffer.from(f.encoded.subarray(0, Math.max(0, f.encoded.length - (cut % 3))));
      for (const [i, v] of edits) if (b.length) b[i % b.length] = v;
      return { codec: f.codec, b };
    });
  const random = fc
    .tuple(fc.constantFrom(...MESSAGE_FIXTURES), fc.uint8Array({ maxLength: 40 }))
    .map(([f, a]) => ({ codec: f.codec, b: Buffer.from(a) }));
  fc.assert(
    fc.property(fc.oneof(mutated, random), ({ codec, b }) => {
      try {
        codec.decode(b);
      } catch (e) {
        assert.ok(e instanceof OnairError, String(e));
      }
    }),
    { numRuns: 3000 },
  );
});

test("client commands decode as a server reads them", () => {
  const connect = ClientCommand.connect({ app: "live", tcUrl: "rtmp://127.0.0.1/live" });
  assert.deepEqual(Command.decode(connect.payload), {
    name: "connect",
    transactionId: 1,
    commandObject: {
      app: "live",
      type: "nonprivate",
      flashVer: "FMLE/3.0 (compatible; onair)",
      tcUrl: "rtmp://127.0.0.1/live",
    },
    args: [],
  });
  const play = ClientCommand.play(1, "test");
  assert.equal(play.streamId, 1);
  assert.deepEqual(Command.decode(play.payload).args, ["test", -2, -1]);
  assert.deepEqual(Command.decode(ClientCommand.publish(1, "test").payload).args, ["test", "live"]);
  assert.deepEqual(Command.decode(ClientCommand.createStream(2).payload).transactionId, 2);
  assert.deepEqual(Command.decode(ClientCommand.deleteStream(1).payload).args, [1]);
  assert.equal(Command.decode(ClientCommand.streamNotice("FCPublish", "test", 3).payload).name, "FCPublish");
});

/**
 * RTMP protocol layer: pure codecs over Buffers (no I/O, no timers).
 *
 * API summary (for the server / live engine):
 *
 * Handshake — `new ServerHandshake()`; `feed(bytes) → { output, done, leftover }`: send `output`
 *   when non-empty; once `done`, feed `leftover` to the chunk decoder. Throws RtmpProtocolError
 *   ONAIR_RTMP_HANDSHAKE_VERSION when C0 is not 3 (e.g. an HTTP request). `digest` tells whether the
 *   FP9 digest handshake was used. `ClientHandshake` is the client side (tests, benchmarks):
 *   `start()` → C0+C1, `feed(S0S1S2)` → { output: C2, done, leftover }.
 *
 * Chunks in — `new ChunkDecoder({ maxMessageLength, maxChunkStreams })`;
 *   `feed(buf, msg => ...)` returns null or an RtmpProtocolError (close the connection, log
 *   `err.code` + `err.context`). Set Chunk Size and Abort are applied by the decoder and still
 *   delivered. Payloads may be subarrays of `buf` (never modify them). `bytesIn` counts for acks.
 *
 * Chunks out — `encodeChunks(msg, chunkSize)` → one Buffer (type 0 header, absolute timestamp,
 *   type 3 continuations, extended timestamp repeated on them): encode once per chunk size and
 *   share it among players. `ChunkEncoder` (per connection) uses type 1–3 headers when possible.
 *   Send on csid `Csid.Control` (2) for control, `Csid.Command` (3) for command replies,
 *   `CSID_STATUS` (5) for onStatus / |RtmpSampleAccess, `Csid.Audio` (6), `Csid.Video` (7).
 *
 * Messages (messages/*.ts) — each has `decode(payload)`, `encode(value)` → payload and
 *   `message(value)` → RtmpMessage: SetChunkSize, Abort, Acknowledgement, WindowAckSize,
 *   SetPeerBandwidth (+BandwidthLimit), UserControlMessage (+UserControlEvent; streamBegin(id),
 *   streamEof(id), pingRequest(ts), ...). `Command.decode(payload, msg.type, amfLimits?)` →
 *   { name, transactionId, commandObject, args } for types 20 and 17 (throws AmfError or
 *   RtmpProtocolError); `Command.message(cmd, { streamId, csid })`. Data: `DataMessage.decode`,
 *   `metadataFrame(payload, type)` → { payload for players ("onMetaData", ...), metadata } or null.
 *   `ClientCommand.connect/createStream/publish/play/...` build what a client sends (tests, bench).
 *
 * Replies (status.ts) — connectResult({ transactionId, objectEncoding, enhanced }),
 *   connectRejected(tid, why), commandResult(tid, ...values) (createStream: commandResult(tid, 1)),
 *   onStatus(streamId, Status.PublishStart | Status.PublishBadName | Status.PlayStart | ...),
 *   onFcPublish(name, unpublish?), sampleAccess(streamId).
 *
 * Media headers (media-header.ts) — parseVideoTagHeader / parseAudioTagHeader (legacy FLV and
 *   Enhanced RTMP: codec FourCC, keyframe, sequenceHeader, compositionTime), and the cheap checks
 *   isVideoKeyframe, isVideoSequenceHeader, isAudioSequenceHeader.
 *
 * Errors — RtmpProtocolError (codes in RtmpErrorCode) and AmfError (codes in AmfErrorCode), both
 *   OnairError with a stable `code` and `context`.
 */
export * from "./chunk-decoder.js";
export * from "./chunk-encoder.js";
export * from "./chunk-header.js";
export * from "./handshake.js";
export * from "./media-header.js";
export * from "./message.js";
export * from "./messages/abort.js";
export * from "./messages/acknowledgement.js";
export * from "./messages/client-commands.js";
export * from "./messages/command.js";
export * from "./messages/data.js";
export * from "./messages/set-chunk-size.js";
export * from "./messages/set-peer-bandwidth.js";
export * from "./messages/user-control.js";
export * from "./messages/window-ack-size.js";
export * from "./rtmp-error.js";
export * from "./status.js";

/**
 * The command side of one RTMP connection (RTMP spec 7.2, as nginx-rtmp
 * answers): connect, createStream, publish, play, and the rest. Media and
 * stream state go to the live engine; bytes go out through `send`.
 */
import type { RtmpApplicationConfig } from "../../config/types.js";
import { accessListOf } from "../../engine/live/access-rules.js";
import type { LiveEngine } from "../../engine/live/live-engine.js";
import type { LivePlayer, PlayerOutput } from "../../engine/live/live-player.js";
import type { KickReason, LivePublisher } from "../../engine/live/live-publisher.js";
import { type AmfObject, type AmfValue, isPlainObject } from "../../protocol/amf/index.js";
import type { RtmpMessage } from "../../protocol/rtmp/message.js";
import type { Logger } from "../../util/logger.js";
import {
  commandResult,
  connectRejected,
  connectResult,
  onFcPublish,
  Status,
  sampleAccess,
  setChunkSize,
  setPeerBandwidth,
  status,
  streamBegin,
  streamEof,
  windowAckSize,
} from "./rtmp-replies.js";

/** Window acknowledgement size and peer bandwidth nginx-rtmp announces (ack_window default). */
export const ACK_WINDOW = 5_000_000;
/** Message streams one connection may create (createStream) before it is closed. */
export const MAX_STREAMS_PER_CONNECTION = 64;

/** The connection a session runs on; it is also the output of every stream the session plays. */
export interface SessionHost extends PlayerOutput {
  readonly id: number;
  readonly address: string;
  readonly engine: LiveEngine;
  readonly log: Logger;
  /** The application named `name` in this listener's server block, or null (unknown or removed by reload). */
  findApp(name: string): RtmpApplicationConfig | null;
  /** Outgoing chunk size from config. */
  readonly configChunkSize: number;
  /** Bound of each player queue in bytes. */
  readonly playerQueueBytes: number;
  send(msg: RtmpMessage): void;
  /** Sets the chunk size used for our next messages (after a Set Chunk Size was sent). */
  setOutChunkSize(size: number): void;
  readonly outChunkSize: number;
  /** Closes the connection after what was written is flushed (graceful) or at once. */
  close(reason: string, graceful: boolean): void;
}

interface Slot {
  /** Message stream id. */
  id: number;
  name: string;
  publisher: LivePublisher | null;
  player: LivePlayer | null;
}

/** Thrown for a command that breaks a bound; the connection is closed with this reason. */
export class SessionLimitError extends Error {}

const str = (v: AmfValue | undefined): string | null => (typeof v === "string" ? v : null);

/** Stream name without its query string (`name?key=v`), as nginx-rtmp splits args. */
function streamName(v: AmfValue | undefined): string | null {
  const s = str(v);
  if (s === null) return null;
  const q = s.indexOf("?");
  return q >= 0 ? s.slice(0, q) : s;
}

export class RtmpSession {
  readonly #h: SessionHost;
  #app: RtmpApplicationConfig | null = null;
  /** Message streams in creation order (nearly always one: an array, not a Map, per connection). */
  #slots: Slot[] = [];
  #nextStreamId = 1;
  role: "none" | "publisher" | "player" = "none";
  appName: string | null = null;

  constructor(host: SessionHost) {
    this.#h = host;
  }

  get app(): RtmpApplicationConfig | null {
    return this.#app;
  }

  #add(s: Slot): void {
    // The first slot in an array literal of its own size (a push would give room for 17).
    if (this.#slots.length === 0) this.#slots = [s];
    else this.#slots.push(s);
  }

  #get(streamId: number): Slot | undefined {
    for (const s of this.#slots) if (s.id === streamId) return s;
    return undefined;
  }

  /** The publisher feeding message stream `streamId`, if any. */
  publisherOn(streamId: number): LivePublisher | null {
    return this.#get(streamId)?.publisher ?? null;
  }

  /** Dispatches one decoded command ([name, transaction id, command object, ...args]). */
  command(streamId: number, values: AmfValue[]): void {
    const name = str(values[0]);
    const tx = typeof values[1] === "number" ? values[1] : 0;
    const args = values.slice(3);
    switch (name) {
      case "connect":
        this.#connect(tx, values[2]);
        return;
      case "createStream":
        this.#createStream(tx);
        return;
      case "releaseStream":
        return; // nginx-rtmp answers nothing
      case "FCPublish":
        this.#h.send(onFcPublish(str(args[0]) ?? ""));
        return;
      case "FCUnpublish":
        this.#h.send(onFcPublish(str(args[0]) ?? "", true));
        this.#endPublishing(streamName(args[0]));
        return;
      case "publish":
        this.#publish(streamId, args);
        return;
      case "play":
        this.#play(streamId, args);
        return;
      case "deleteStream":
        this.#closeSlot(typeof args[0] === "number" ? args[0] : streamId, true);
        return;
      case "closeStream":
        this.#closeSlot(streamId, false);
        return;
      case "getStreamLength":
        this.#h.send(commandResult(tx, 0));
        return;
      case "receiveAudio":
      case "receiveVideo":
        this.#receive(streamId, name === "receiveAudio", args[0] !== false);
        return;
      case "pause":
        this.#pause(streamId, args[0] === true);
        return;
      default:
        return; // unknown commands are ignored, as nginx-rtmp does
    }
  }

  #connect(tx: number, cmdObj: AmfValue | undefined): void {
    const obj: AmfObject = isPlainObject(cmdObj) ? cmdObj : {};
    let appName = str(obj.app) ?? "";
    // "live/" and "live?x=y" name the application "live" (nginx-rtmp strips both).
    appName = appName.replace(/\?.*$/, "").replace(/\/+$/, "");
    const app = this.#h.findApp(appName);
    if (!app) {
      this.#h.log.error(`rtmp: ${this.#h.address}: connect to unknown application "${appName}"`);
      this.#h.send(connectRejected(tx, "Connection rejected: unknown application."));
      this.#h.close("unknown application", true);
      return;
    }
    this.#app = app;
    this.appName = appName;
    const h = this.#h;
    h.send(windowAckSize(ACK_WINDOW));
    h.send(setPeerBandwidth(ACK_WINDOW));
    h.send(setChunkSize(h.configChunkSize));
    h.setOutChunkSize(h.configChunkSize);
    const enhanced =
      obj.fourCcList !== undefined || obj.capsEx !== undefined || obj.videoFourCcInfoMap !== undefined;
    const objectEncoding = typeof obj.objectEncoding === "number" ? obj.objectEncoding : 0;
    h.send(connectResult({ transactionId: tx, objectEncoding, enhanced }));
  }

  #createStream(tx: number): void {
    if (this.#slots.length >= MAX_STREAMS_PER_CONNECTION) {
      throw new SessionLimitError(`more than ${MAX_STREAMS_PER_CONNECTION} streams on one connection`);
    }
    const id = this.#nextStreamId++;
    this.#add({ id, name: "", publisher: null, player: null });
    this.#h.send(commandResult(tx, id));
  }

  #slot(streamId: number): Slot {
    let s = this.#get(streamId);
    if (!s) {
      // Clients that skip createStream (some do) get an implicit slot, still bounded.
      if (this.#slots.length >= MAX_STREAMS_PER_CONNECTION) {
        throw new SessionLimitError(`more than ${MAX_STREAMS_PER_CONNECTION} streams on one connection`);
      }
      s = { id: streamId, name: "", publisher: null, player: null };
      this.#add(s);
    }
    return s;
  }

  #publish(streamId: number, args: AmfValue[]): void {
    const app = this.#app;
    const name = streamName(args[0]);
    if (!app || name === null || name === "") {
      this.#h.send(status(streamId, Status.PublishBadName, "Bad stream name"));
      return;
    }
    if (!accessListOf(app.access).allows("publish", this.#h.address)) {
      this.#h.log.error(`rtmp: ${this.#h.address}: access denied to publish ${app.name}/${name}`);
      this.#h.close("access denied (publish)", true);
      return;
    }
    const slot = this.#slot(streamId);
    if (slot.publisher || slot.player) this.#closeSlot(streamId, false);
    const r = this.#h.engine.publish({
      app,
      name,
      address: this.#h.address,
      client: { kick: (reason) => this.#kicked(streamId, name, reason) },
    });
    if (!r.ok) {
      this.#h.log.error(`rtmp: ${this.#h.address}: live: "${app.name}/${name}" already publishing`);
      this.#h.send(status(streamId, Status.PublishBadName));
      return;
    }
    slot.name = name;
    slot.publisher = r.publisher;
    this.role = "publisher";
    this.#h.send(streamBegin(streamId));
    this.#h.send(status(streamId, Status.PublishStart));
    this.#h.log.info(`rtmp: ${this.#h.address}: publish ${app.name}/${name}`);
  }

  #kicked(streamId: number, name: string, reason: KickReason): void {
    const slot = this.#get(streamId);
    if (slot?.publisher) slot.publisher = null;
    const why = {
      replaced: "Replaced by a new publisher",
      idle: "Idle publisher dropped",
      quit: "Server shutdown",
    };
    this.#h.send(status(streamId, Status.UnpublishSuccess, `${name}: ${why[reason]}`));
    this.#h.close(`publisher ${reason}`, true);
  }

  #play(streamId: number, args: AmfValue[]): void {
    const app = this.#app;
    const name = streamName(args[0]);
    if (!app || name === null || name === "") {
      this.#h.send(status(streamId, Status.PlayStreamNotFound));
      return;
    }
    if (!accessListOf(app.access).allows("play", this.#h.address)) {
      this.#h.log.error(`rtmp: ${this.#h.address}: access denied to play ${app.name}/${name}`);
      this.#h.close("access denied (play)", true);
      return;
    }
    const slot = this.#slot(streamId);
    if (slot.publisher || slot.player) this.#closeSlot(streamId, false);
    const h = this.#h;
    const reset = args[3] !== false;
    h.send(streamBegin(streamId));
    if (reset) h.send(status(streamId, Status.PlayReset));
    h.send(status(streamId, Status.PlayStart));
    h.send(sampleAccess(streamId));
    slot.name = name;
    this.role = "player";
    slot.player = h.engine.play({
      app,
      name,
      address: h.address,
      output: h,
      chunkSize: h.outChunkSize,
      streamId,
      maxQueueBytes: h.playerQueueBytes,
    });
    h.log.info(`rtmp: ${h.address}: play ${app.name}/${name}`);
  }

  #receive(streamId: number, audio: boolean, on: boolean): void {
    const p = this.#get(streamId)?.player;
    if (!p) return;
    if (audio) p.receiveAudio = on;
    else {
      p.receiveVideo = on;
      if (on) p.waitKey = true;
    }
  }

  #pause(streamId: number, pause: boolean): void {
    const p = this.#get(streamId)?.player;
    if (!p) return;
    p.paused = pause;
    if (!pause) p.waitKey = true;
    this.#h.send(status(streamId, pause ? Status.PauseNotify : Status.UnpauseNotify));
  }

  #endPublishing(name: string | null): void {
    for (const s of [...this.#slots]) {
      if (s.publisher && (name === null || s.name === name)) this.#closeSlot(s.id, false);
    }
  }

  #closeSlot(streamId: number, remove: boolean): void {
    const s = this.#get(streamId);
    if (!s) return;
    if (s.publisher) {
      const p = s.publisher;
      s.publisher = null;
      p.end();
      this.#h.log.info(`rtmp: ${this.#h.address}: unpublish ${this.appName}/${s.name}`);
    }
    if (s.player) {
      s.player.close();
      s.player = null;
    }
    if (remove) this.#slots.splice(this.#slots.indexOf(s), 1);
  }

  /** Quit: tell players the stream ends and publishers they are stopped. */
  goodbye(): void {
    for (const s of this.#slots) {
      const id = s.id;
      if (s.player) {
        this.#h.send(status(id, Status.PlayUnpublishNotify));
        this.#h.send(streamEof(id));
      }
      if (s.publisher) this.#h.send(status(id, Status.UnpublishSuccess, "Server shutdown"));
    }
  }

  /** The connection is gone: leave every stream. */
  dispose(): void {
    for (const s of [...this.#slots]) this.#closeSlot(s.id, true);
  }

  /** Player figures of this connection (for stats). */
  players(): LivePlayer[] {
    return this.#slots.flatMap((s) => (s.player ? [s.player] : []));
  }
}

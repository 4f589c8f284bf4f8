/**
 * keepalived's SMTP alerts (keepalived/core/smtp.c, vrrp_notify.c), sent with
 * nodemailer: one message per state change of an instance with `smtp_alert`,
 * to every `notification_email` recipient (one SMTP transaction, one RCPT TO
 * each, all of them in To:), from `notification_email_from`, through
 * `smtp_server IP [PORT]` with `smtp_connect_timeout` bounding each step.
 * Subject `[ROUTER_ID] VRRP Instance NAME - Entering MASTER state` and
 * keepalived's one-line bodies; X-Mailer kept as keepalived's so existing
 * mail filters still match. Plain SMTP as keepalived (no STARTTLS, no AUTH).
 * Unlike keepalived, a failed send is retried a bounded number of times.
 * alert() returns at once: mail never delays the state machine.
 */
import { hostname } from "node:os";
import nodemailer, { type Transporter } from "nodemailer";
import type { GlobalDefs } from "../../../config/types.js";
import type { Logger } from "../../../util/logger.js";

/** keepalived vrrp_smtp_notifier(): subject suffix and body per state. */
export const SMTP_ALERT_TEXT: Readonly<Record<string, { subject: string; body: string }>> = {
  MASTER: { subject: "Entering MASTER state", body: "=> VRRP Instance is now owning VRRP VIPs <=" },
  BACKUP: { subject: "Entering BACKUP state", body: "=> VRRP Instance is no longer owning VRRP VIPs <=" },
  FAULT: { subject: "Entering FAULT state", body: "=> VRRP Instance is no longer owning VRRP VIPs <=" },
  STOP: { subject: "Stopping", body: "=> VRRP Instance stopping <=" },
};

export interface SmtpAlertOptions {
  /** Attempts per message (default 3). */
  attempts?: number;
  /** Delay before each retry, ms (default [2000, 10000]; the last value repeats). */
  retryDelaysMs?: number[];
}

export interface SmtpAlertMessage {
  subject: string;
  body: string;
}

/** The message keepalived sends for an instance entering `state`, or null for states it does not mail. */
export function vrrpAlertMessage(routerId: string, instance: string, state: string): SmtpAlertMessage | null {
  const t = SMTP_ALERT_TEXT[state];
  if (!t) return null;
  return { subject: `[${routerId}] VRRP Instance ${instance} - ${t.subject}`, body: t.body };
}

export class SmtpAlerter {
  readonly #g: GlobalDefs;
  readonly #log: Logger;
  readonly #transport: Transporter;
  readonly #attempts: number;
  readonly #delays: number[];
  readonly #lastState = new Map<string, string>();
  readonly #inflight = new Set<Promise<void>>();
  readonly #timers = new Map<NodeJS.Timeout, () => void>();
  #closed = false;
  readonly counters = { sent: 0, failed: 0, retried: 0 };

  /** null when global_defs lacks smtp_server or notification_email (keepalived then sends nothing). */
  static create(g: GlobalDefs, log: Logger, opts: SmtpAlertOptions = {}): SmtpAlerter | null {
    if (!g.smtpServer || g.notificationEmail.length === 0) return null;
    return new SmtpAlerter(g, log, opts);
  }

  private constructor(g: GlobalDefs, log: Logger, opts: SmtpAlertOptions) {
    this.#g = g;
    this.#log = log;
    this.#attempts = Math.max(1, opts.attempts ?? 3);
    this.#delays = opts.retryDelaysMs?.length ? opts.retryDelaysMs : [2000, 10000];
    const t = g.smtpConnectTimeout;
    this.#transport = nodemailer.createTransport({
      host: g.smtpServer!.host,
      port: g.smtpServer!.port,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
      name: hostname(),
    });
  }

  get server(): string {
    return `[${this.#g.smtpServer!.host}]:${this.#g.smtpServer!.port}`;
  }

  /** Mails a state change of `instance` (once per distinct state, as keepalived's last_email_state). */
  alert(instance: string, state: string): void {
    if (this.#closed || this.#lastState.get(instance) === state) return;
    const msg = vrrpAlertMessage(this.#g.routerId, instance, state);
    if (!msg) return;
    this.#lastState.set(instance, state);
    const p = this.#send(msg, 1).finally(() => this.#inflight.delete(p));
    this.#inflight.add(p);
  }

  async #send(msg: SmtpAlertMessage, attempt: number): Promise<void> {
    const from = this.#g.notificationEmailFrom ?? `keepalived@${hostname()}`;
    try {
      await this.#transport.sendMail({
        from,
        to: this.#g.notificationEmail.join(", "),
        subject: msg.subject,
        text: `${msg.body}\r\n`,
        date: new Date(),
        xMailer: "Keepalived",
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      this.counters.sent++;
      this.#log.info(`SMTP alert successfully sent: ${msg.subject}`);
    } catch (e) {
      const why = (e as Error).message;
      if (attempt >= this.#attempts || this.#closed) {
        this.counters.failed++;
        this.#log.error(
          `SMTP alert to ${this.server} failed after ${attempt} attempt(s), giving up: ${msg.subject}: ${why}`,
        );
        return;
      }
      const delay = this.#delays[Math.min(attempt - 1, this.#delays.length - 1)]!;
      this.counters.retried++;
      this.#log.warn(
        `SMTP alert to ${this.server} failed (${why}); retry ${attempt + 1}/${this.#attempts} in ${delay} ms`,
      );
      await new Promise<void>((r) => {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          r();
        }, delay);
        this.#timers.set(timer, r);
      });
      if (!this.#closed) await this.#send(msg, attempt + 1);
    }
  }

  /** Gives messages in flight up to `boundMs`, then drops retries and closes the transport. */
  async close(boundMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((r) => {
      timer = setTimeout(r, boundMs);
    });
    await Promise.race([Promise.allSettled([...this.#inflight]).then(() => {}), bound]);
    clearTimeout(timer);
    this.#closed = true;
    for (const [t, wake] of this.#timers) {
      clearTimeout(t);
      wake();
    }
    this.#timers.clear();
    this.#transport.close();
  }
}

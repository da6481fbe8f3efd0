// Delivers the outbox: one row at a time, oldest first, retrying with exponential backoff while
// the mail server is unreachable. A row is marked sent right after the transport accepts it, so a
// restart resumes with what is still pending and a sent row never goes out again.
import { recordAudit } from '../auth/audit.ts';
import type { AuditOutcome } from '../auth/auditContract.ts';
import type { AppDb } from '../db/appdb.ts';
import type { OutboxReply } from '../risk/contract.ts';
import { dueMessages, isPending, markAttemptFailed, markSent, type DueMessage } from './outbox.ts';
import { createMailTransport, type MailTransport } from './transport.ts';

export interface SenderOptions {
  smtpUrl?: string;
  outboxDir: string;
  from?: string;
  /** first retry delay; doubles per attempt up to maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** attempts before a row is given up as 'failed' (an admin can retry it) */
  maxAttempts?: number;
  /** how often the background loop looks for due rows besides wake() */
  pollMs?: number;
  now?: () => Date;
  onError?: (err: unknown) => void;
}

export class OutboxSender {
  private chain: Promise<number> = Promise.resolve(0);
  private readonly claimed = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(private readonly db: AppDb, private readonly mail: MailTransport, private readonly opts: SenderOptions) {}

  static create(db: AppDb, opts: SenderOptions): OutboxSender {
    return new OutboxSender(db, createMailTransport(opts), opts);
  }

  /** Starts the background loop: a drain now and every pollMs. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.wake(), this.opts.pollMs ?? 5_000);
    this.timer.unref();
    this.wake();
  }

  /** Drains soon without waiting, e.g. right after an evaluation queued messages. */
  wake(): void {
    if (this.stopped) return;
    this.drain().catch(this.opts.onError ?? ((err) => process.stderr.write(`vigil: outbox: ${String(err)}\n`)));
  }

  /** Sends every row due now; drains run one after another, so no row is ever in flight twice. */
  drain(): Promise<number> {
    const next = this.chain.then(() => this.sendDue());
    this.chain = next.catch(() => 0);
    return next;
  }

  transport(): OutboxReply['transport'] {
    return this.mail.describe();
  }

  /** Stops the loop and waits for a send in flight, so its row is marked before the database closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.chain;
    this.mail.close();
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private async sendDue(): Promise<number> {
    let sent = 0;
    for (const message of await dueMessages(this.db, this.now())) {
      if (this.stopped) break;
      if (await this.sendOne(message)) sent++;
    }
    return sent;
  }

  private async sendOne(message: DueMessage): Promise<boolean> {
    if (this.claimed.has(message.id)) return false;
    this.claimed.add(message.id);
    try {
      if (!(await isPending(this.db, message.id))) return false;
      let delivery;
      try {
        delivery = await this.mail.send(message);
      } catch (err) {
        await this.recordFailure(message, err);
        return false;
      }
      await markSent(this.db, message.id, { at: this.now(), ...delivery });
      await this.audit(message, 'ok', { transport: delivery.transport, messageId: delivery.messageId, file: delivery.file });
      return true;
    } finally {
      this.claimed.delete(message.id);
    }
  }

  private async recordFailure(message: DueMessage, err: unknown): Promise<void> {
    const attempts = message.attempts + 1;
    const delay = Math.min((this.opts.backoffMs ?? 5_000) * 2 ** (attempts - 1), this.opts.maxBackoffMs ?? 30 * 60_000);
    const error = err instanceof Error ? err.message : String(err);
    const failed = attempts >= (this.opts.maxAttempts ?? 20);
    await markAttemptFailed(this.db, message.id, { error, nextAttemptAt: new Date(this.now().getTime() + delay), failed });
    // a retry still to come is not an outcome yet; giving up is
    if (failed) await this.audit(message, 'error', { transport: this.mail.describe().kind, attempts, error });
  }

  /** The email in the audit log: who it went to, about what, and how. */
  private audit(message: DueMessage, outcome: AuditOutcome, delivery: Record<string, unknown>): Promise<void> {
    return recordAudit(this.db, {
      username: null, source: null, kind: 'email', action: 'send', target: String(message.id), outcome, status: null,
      detail: { recipients: message.recipients, subject: message.subject, messageKind: message.kind, ...delivery },
    });
  }
}

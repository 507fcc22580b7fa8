import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { claimDueMail, markMailFailed, markMailRetry, markMailSent, onMailCommitted, OutboxMail } from './mail-outbox';
import type { MailTransport } from './mail-transport';

export interface MailDispatcherOptions {
  /** This dispatcher's name in `locked_by`; unique per dispatcher (default: a random one). */
  owner?: string;
  /** How often to look for due mail when nothing pokes the dispatcher. */
  pollIntervalMs: number;
  /** Delay before each retry of a mail that could not be sent; its length is the retry count. */
  retryBackoffMs: readonly number[];
  /** Mails one dispatcher sends at the same time. */
  concurrency?: number;
  /**
   * How long a claimed mail stays hidden from other dispatchers. It must
   * outlast a send (the SMTP timeouts); a dispatcher that dies mid-send
   * leaves the mail to be sent again after it.
   */
  claimMs?: number;
}

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_CLAIM_MS = 5 * 60 * 1000;
const MAX_ERROR_LENGTH = 2000;

/**
 * Sends the mail of the outbox: claims due pending rows, hands them to the
 * transport, and marks them sent — or schedules a retry with backoff, and
 * after the last retry marks them failed. Any number of dispatchers (one per
 * replica) can share a database; each row is claimed by one at a time.
 * While the SMTP server is down nothing is lost: rows stay pending.
 */
export class MailDispatcher {
  private readonly owner: string;
  private readonly concurrency: number;
  private readonly claimMs: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private poked = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly db: Knex,
    private readonly transport: MailTransport,
    private readonly options: MailDispatcherOptions,
    private readonly logger: Logger,
  ) {
    this.owner = options.owner ?? `mail:${crypto.randomUUID()}`;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.claimMs = options.claimMs ?? DEFAULT_CLAIM_MS;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = onMailCommitted(() => this.poke());
    this.loop = this.pollLoop();
  }

  /** Stops claiming, waits for the sends in progress to be recorded, closes the transport. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.poke();
    await this.loop;
    this.transport.close();
  }

  /** Mail was queued: look now instead of at the next poll. */
  poke(): void {
    this.poked = true;
    if (!this.sleeper) return;
    clearTimeout(this.sleeper.timer);
    this.sleeper.resolve();
    this.sleeper = null;
  }

  private async pollLoop(): Promise<void> {
    while (this.running) {
      this.poked = false;
      let claimed: OutboxMail[] = [];
      try {
        claimed = await claimDueMail(this.db, this.owner, this.concurrency, this.claimMs);
      } catch (err) {
        this.logger.error({ err }, 'claiming mail failed');
      }
      await Promise.all(claimed.map((mail) => this.deliver(mail)));
      // A full batch means more may be due; otherwise wait for the next poll or a poke.
      if (claimed.length < this.concurrency) await this.sleep(this.options.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    // A poke that came while claiming or sending is not lost.
    if (this.poked || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      this.sleeper = { timer: setTimeout(resolve, ms), resolve };
    });
  }

  private async deliver(mail: OutboxMail): Promise<void> {
    try {
      let sent;
      try {
        sent = await this.transport.send(mail);
      } catch (err) {
        await this.recordFailure(mail, err);
        return;
      }
      const warning = sent.rejected.length ? `refused recipients: ${sent.rejected.join(', ')}` : null;
      await markMailSent(this.db, this.owner, mail, sent.messageId, warning);
      if (warning) this.logger.warn({ mailId: mail.id, rejected: sent.rejected }, 'mail sent, but some recipients were refused');
      this.logger.info({ mailId: mail.id, messageId: sent.messageId, attempts: mail.attempts + 1 }, 'mail sent');
    } catch (err) {
      // The outcome could not be stored; the claim expires and the mail is tried again.
      this.logger.error({ err, mailId: mail.id }, 'recording a mail delivery failed');
    }
  }

  private async recordFailure(mail: OutboxMail, err: unknown): Promise<void> {
    const error = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
    const backoff = this.options.retryBackoffMs;
    const attempts = mail.attempts + 1;
    if (attempts <= backoff.length) {
      const delayMs = backoff[attempts - 1];
      await markMailRetry(this.db, this.owner, mail, error, delayMs);
      this.logger.warn({ mailId: mail.id, attempts, retryInMs: delayMs, error }, 'mail not sent, will retry');
    } else {
      await markMailFailed(this.db, this.owner, mail, error);
      this.logger.error({ mailId: mail.id, attempts, error }, 'mail not sent after the last retry, giving up');
    }
  }
}

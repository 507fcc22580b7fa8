/**
 * MailDispatcher on its own database, without the HTTP server: several
 * dispatchers sharing the outbox, claims that expire, the last retry.
 */
import { connectDatabase, Database, isEmbedded } from '../../src/db/connect';
import { migrateLatest } from '../../src/db/migrate';
import { createLogger } from '../../src/logger';
import { MailDispatcher, MailDispatcherOptions } from '../../src/notifications/mail-dispatcher';
import { enqueueMail } from '../../src/notifications/mail-outbox';
import { createMailTransport, MailTransport } from '../../src/notifications/mail-transport';
import { createTestDatabase, TestDatabase, usingPostgres } from '../support/database';
import { waitFor } from '../support/http';
import { freePort, startSmtpServer, TestSmtpServer } from '../support/smtp';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const silent = createLogger('silent');

describe('MailDispatcher', () => {
  let database: TestDatabase;
  let db: Database;
  let smtp: TestSmtpServer;
  const extraConnections: Database[] = [];
  const dispatchers: MailDispatcher[] = [];

  const smtpTransport = (url = smtp.url) => createMailTransport({ SMTP_URL: url, MAIL_FROM: 'Stagegate <stagegate@localhost>', DATA_DIR: database.dataDir });
  /** On PostgreSQL each dispatcher gets its own connection pool, as a replica would. */
  const connection = () => {
    if (!database.databaseUrl) return db;
    const own = connectDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
    extraConnections.push(own);
    return own;
  };
  const dispatcher = (transport: MailTransport, options: Partial<MailDispatcherOptions> = {}, logger = silent, on = connection()) => {
    const created = new MailDispatcher(on, transport, { pollIntervalMs: 50, retryBackoffMs: [100, 200], ...options }, logger);
    dispatchers.push(created);
    created.start();
    return created;
  };
  const stopAll = async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
  };
  const row = (subject: string) => db('mail_outbox').where({ subject }).first();

  beforeAll(async () => {
    database = await createTestDatabase();
    db = connectDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
    await migrateLatest(db);
    smtp = await startSmtpServer();
  });
  afterEach(stopAll);
  afterAll(async () => {
    await stopAll();
    await Promise.all(extraConnections.map((c) => c.destroy()));
    await db?.destroy();
    await smtp?.close();
    await database?.drop();
  });

  it(`lets three dispatchers share the outbox without sending any mail twice (${usingPostgres() ? 'separate pools on PostgreSQL' : 'one embedded database'})`, async () => {
    const sentBy = new Map<string, number>();
    const counting = (name: string): MailTransport => {
      const inner = smtpTransport();
      return {
        description: inner.description,
        close: () => inner.close(),
        async send(mail) {
          sentBy.set(name, (sentBy.get(name) ?? 0) + 1);
          return inner.send(mail);
        },
      };
    };
    for (const name of ['a', 'b', 'c']) dispatcher(counting(name));
    const subjects = Array.from({ length: 60 }, (_, i) => `shared ${i}`);
    await db.transaction(async (trx) => {
      for (const subject of subjects) await enqueueMail(trx, { to: ['ops@example.com'], subject, text: subject });
    });

    await waitFor(async () => subjects.every((s) => smtp.withSubject(s).length > 0), 20000, 'all 60 mails');
    await waitFor(async () => Number((await db('mail_outbox').where({ status: 'sent' }).count({ n: '*' }))[0].n) === 60);
    await sleep(300);
    for (const subject of subjects) expect(smtp.withSubject(subject)).toHaveLength(1);
    const messageIds = smtp.received.filter((m) => m.parsed.subject?.startsWith('shared ')).map((m) => m.parsed.messageId);
    expect(new Set(messageIds).size).toBe(60);
    expect([...sentBy.values()].reduce((a, b) => a + b, 0)).toBe(60);
    expect(sentBy.size).toBeGreaterThanOrEqual(2);
    expect(await db('mail_outbox').where('attempts', '!=', 1).whereIn('subject', subjects)).toEqual([]);
  });

  it('sends at once after a commit, without waiting for the next poll', async () => {
    dispatcher(smtpTransport(), { pollIntervalMs: 60000 });
    await sleep(100); // the first poll has come and gone
    const committedAt = Date.now();
    await db.transaction((trx) => enqueueMail(trx, { to: ['ops@example.com'], subject: 'prompt', text: 'now' }));
    await waitFor(async () => smtp.withSubject('prompt').length === 1, 5000, 'the prompt mail');
    expect(Date.now() - committedAt).toBeLessThan(5000);
  });

  it('marks a mail failed after the last retry and logs an error', async () => {
    const logLines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
    dispatcher(smtpTransport(`smtp://127.0.0.1:${await freePort()}`), { retryBackoffMs: [50, 50] }, logger);
    await db.transaction((trx) => enqueueMail(trx, { to: ['ops@example.com'], subject: 'doomed', text: 'x' }));

    const failed = await waitFor(async () => ((await row('doomed')).status === 'failed' ? row('doomed') : null), 10000, 'the failed status');
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, sent_at: null, locked_by: null });
    expect(failed.last_error).toMatch(/ECONNREFUSED/);
    const logs = logLines.map((line) => JSON.parse(line)).filter((entry) => entry.mailId === failed.id);
    expect(logs.filter((entry) => entry.level === 40)).toHaveLength(2); // the two retries
    expect(logs.filter((entry) => entry.level === 50)).toEqual([expect.objectContaining({ attempts: 3, msg: 'mail not sent after the last retry, giving up' })]);
    await sleep(300);
    expect((await row('doomed')).attempts).toBe(3);
  });

  it('gives the mail of a stalled dispatcher to another once its claim expires, and ignores the stalled one afterwards', async () => {
    const stalled: MailTransport = {
      description: 'stalls, then fails',
      close: () => undefined,
      send: () => sleep(1500).then(() => Promise.reject(new Error('connection lost'))),
    };
    const shared = isEmbedded(db) ? db : undefined;
    dispatcher(stalled, { claimMs: 300 }, silent, shared ?? connection());
    await db.transaction((trx) => enqueueMail(trx, { to: ['ops@example.com'], subject: 'taken over', text: 'x' }));
    await waitFor(async () => (await row('taken over')).locked_by !== null, 5000, 'the first claim');

    dispatcher(smtpTransport(), {}, silent, shared ?? connection());
    await waitFor(async () => smtp.withSubject('taken over').length === 1, 5000, 'the mail from the second dispatcher');
    await sleep(1800); // the stalled send fails now; its outcome must not count
    const final = await row('taken over');
    expect(final).toMatchObject({ status: 'sent', attempts: 1, last_error: null, locked_by: null });
    expect(smtp.withSubject('taken over')).toHaveLength(1);
  });
});

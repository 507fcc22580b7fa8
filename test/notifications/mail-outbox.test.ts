import { enqueueMail } from '../../src/notifications/mail-outbox';
import { emailsOfGroup, emailsOfUsers } from '../../src/notifications/recipients';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { startSmtpServer, TestSmtpServer } from '../support/smtp';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const addresses = (value: unknown) =>
  ([] as any[]).concat(value ?? []).flatMap((group: any) => group.value.map((address: any) => address.address));

describe('mail outbox: enqueued in the transaction of the change, sent over SMTP', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const outbox = () => server.stagegate.db('mail_outbox');

  beforeAll(async () => {
    // A server that wants a login, with characters that must be percent-encoded in SMTP_URL.
    smtp = await startSmtpServer({ auth: { user: 'stagegate@example.com', pass: 'p@ss:w0rd/1' } });
    server = await startTestServer({ env: { SMTP_URL: smtp.url, MAIL_RETRY_BACKOFF_MS: '100,200' } });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('sends a mail whose transaction committed, with the login from SMTP_URL', async () => {
    await server.stagegate.db.transaction(async (trx) => {
      await trx('settings').insert({ key: 'mail-test', value: JSON.stringify({ changed: true }) });
      await enqueueMail(trx, {
        to: ['rita@example.com', 'ravi@example.com', 'RITA@example.com'],
        subject: 'Approval needed: churn v3',
        text: 'Please review churn v3.\nTask: 42',
        html: '<p>Please review <b>churn v3</b>.</p>',
      });
    });
    const [mail] = await smtp.waitForMail(1);
    expect(mail.user).toBe('stagegate@example.com');
    expect(mail.envelopeTo).toEqual(['rita@example.com', 'ravi@example.com']);
    expect(addresses(mail.parsed.to)).toEqual(['rita@example.com', 'ravi@example.com']);
    expect(mail.parsed.from?.value).toEqual([{ name: 'Stagegate', address: 'stagegate@localhost' }]);
    expect(mail.parsed.subject).toBe('Approval needed: churn v3');
    expect(mail.parsed.text?.trim()).toBe('Please review churn v3.\nTask: 42');
    expect(mail.parsed.html).toContain('<b>churn v3</b>');

    // The server has the message a moment before the dispatcher records it.
    const row = await waitFor(async () => {
      const current = await outbox().where({ subject: 'Approval needed: churn v3' }).first();
      return current.status === 'sent' ? current : null;
    });
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null, to: ['rita@example.com', 'ravi@example.com'] });
    expect(row.sent_at).toBeInstanceOf(Date);
    expect(row.message_id).toBe(`<${row.id}@localhost>`);
    expect(mail.parsed.messageId).toBe(row.message_id);
  });

  it('never sends a mail whose transaction rolled back, nor one queued in a rolled-back savepoint', async () => {
    await expect(
      server.stagegate.db.transaction(async (trx) => {
        await enqueueMail(trx, { to: ['rita@example.com'], subject: 'rolled back', text: 'must not arrive' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await server.stagegate.db.transaction(async (trx) => {
      await enqueueMail(trx, { to: ['rita@example.com'], subject: 'outer committed', text: 'arrives' });
      await trx
        .transaction(async (savepoint) => {
          await enqueueMail(savepoint, { to: ['rita@example.com'], subject: 'savepoint rolled back', text: 'must not arrive' });
          throw new Error('inner step failed');
        })
        .catch(() => undefined);
    });
    await smtp.waitForMail(2);
    server.stagegate.mail.poke();
    await sleep(500); // several poll intervals
    expect(smtp.withSubject('outer committed')).toHaveLength(1);
    expect(smtp.withSubject('rolled back')).toHaveLength(0);
    expect(smtp.withSubject('savepoint rolled back')).toHaveLength(0);
    expect(await outbox().whereIn('subject', ['rolled back', 'savepoint rolled back'])).toEqual([]);
  });

  it('queues a notice once per dedupe key, however often and in however many transactions', async () => {
    const notice = { to: ['rita@example.com'], subject: 'Task 7 created', text: 'task 7', dedupeKey: 'task-created:7' };
    await server.stagegate.db.transaction(async (trx) => {
      await enqueueMail(trx, notice);
      await enqueueMail(trx, notice);
    });
    await Promise.all([1, 2, 3].map(() => server.stagegate.db.transaction((trx) => enqueueMail(trx, { ...notice, text: 'again' }))));
    await smtp.waitForMail(3);
    await sleep(400);
    const mails = smtp.withSubject('Task 7 created');
    expect(mails).toHaveLength(1);
    expect(mails[0].parsed.text?.trim()).toBe('task 7');
    expect(await outbox().where({ dedupe_key: 'task-created:7' })).toHaveLength(1);
  });

  it('queues nothing for a mail without recipients', async () => {
    await server.stagegate.db.transaction((trx) => enqueueMail(trx, { to: [' ', ''], subject: 'nobody', text: 'x' }));
    expect(await outbox().where({ subject: 'nobody' })).toEqual([]);
  });

  it('finds the addresses of active users by group, id or email', async () => {
    const db = server.stagegate.db;
    const user = (name: string, groups: string[], active = true) => ({
      id: crypto.randomUUID(),
      name,
      email: `${name}@example.com`,
      roles: JSON.stringify(['model_approver']),
      groups: JSON.stringify(groups),
      active,
    });
    const ann = user('ann', ['mail-approvers', 'mail-support']);
    const bob = user('bob', ['mail-approvers']);
    const cyd = user('cyd', ['mail-approvers'], false);
    const dan = user('dan', ['mail-support']);
    await db('users').insert([ann, bob, cyd, dan]);

    expect(await emailsOfGroup(db, 'mail-approvers')).toEqual(['ann@example.com', 'bob@example.com']);
    expect(await emailsOfGroup(db, ['mail-support', 'mail-approvers'])).toEqual(['ann@example.com', 'bob@example.com', 'dan@example.com']);
    expect(await emailsOfGroup(db, 'nobody-here')).toEqual([]);
    expect(await emailsOfUsers(db, [bob.id, 'DAN@example.com', cyd.id, 'stranger@example.com', 'not-a-uuid', ann.id, 'ann@example.com'])).toEqual([
      'ann@example.com',
      'bob@example.com',
      'dan@example.com',
    ]);
    expect(await emailsOfUsers(db, [])).toEqual([]);
    await db.transaction(async (trx) => expect(await emailsOfGroup(trx, 'mail-support')).toEqual(['ann@example.com', 'dan@example.com']));
  });
});

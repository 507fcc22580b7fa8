import { enqueueMail } from '../../src/notifications/mail-outbox';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { freePort, TestSmtpServer } from '../support/smtp';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mail retries: an SMTP server that is down or refusing loses nothing', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const backoffMs = [100, 200, 400, 800, 1600, 3200, 6400];
  const env = () => ({ SMTP_URL: smtp.url, MAIL_RETRY_BACKOFF_MS: backoffMs.join(',') });
  const row = (subject: string) => server.stagegate.db('mail_outbox').where({ subject }).first();
  const send = (subject: string) =>
    server.stagegate.db.transaction((trx) => enqueueMail(trx, { to: ['ops@example.com'], subject, text: `body of ${subject}` }));

  /** Waits until the row has at least `attempts` failed attempts; returns the row as seen after each. */
  async function attemptsOf(subject: string, attempts: number) {
    const seen: any[] = [];
    await waitFor(
      async () => {
        const current = await row(subject);
        if (current.attempts > (seen.at(-1)?.attempts ?? 0)) seen.push(current);
        return current.attempts >= attempts;
      },
      15000,
      `${attempts} attempts`,
    );
    return seen;
  }

  /** Each retry is scheduled at least its backoff after the previous one was due. */
  function expectGrowingRetries(seen: any[]) {
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const [i, current] of seen.entries()) {
      expect(current).toMatchObject({ status: 'pending', sent_at: null });
      if (i === 0) continue;
      const previous = seen[i - 1];
      expect(current.attempts).toBeGreaterThan(previous.attempts);
      const gap = current.next_attempt_at.getTime() - previous.next_attempt_at.getTime();
      expect(gap).toBeGreaterThanOrEqual(backoffMs[current.attempts - 1]);
    }
  }

  beforeAll(async () => {
    smtp = new TestSmtpServer(await freePort()); // not started: the SMTP server is down
    server = await startTestServer({ env: env() });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('keeps retrying with growing backoff while nothing listens, and sends once the server is up', async () => {
    await send('while down');
    const seen = await attemptsOf('while down', 3);
    expectGrowingRetries(seen);
    expect(seen.at(-1).last_error).toMatch(/ECONNREFUSED/);

    await smtp.start();
    const [mail] = await smtp.waitForMail(1, 10000);
    expect(mail.parsed.subject).toBe('while down');
    expect(mail.parsed.text?.trim()).toBe('body of while down');
    await waitFor(async () => (await row('while down')).status === 'sent');
    await sleep(500);
    expect(smtp.withSubject('while down')).toHaveLength(1);
    expect((await row('while down')).attempts).toBeGreaterThanOrEqual(4);
  });

  it('retries a server answering 451 to every recipient, and delivers exactly once when it heals', async () => {
    smtp.failing = true;
    await send('while refusing');
    const seen = await attemptsOf('while refusing', 3);
    expectGrowingRetries(seen);
    expect(seen.at(-1).last_error).toMatch(/451/);
    expect(smtp.refused).toBeGreaterThanOrEqual(3);
    expect(smtp.withSubject('while refusing')).toHaveLength(0);

    smtp.failing = false;
    await waitFor(async () => smtp.withSubject('while refusing').length === 1, 10000, 'the mail after healing');
    await waitFor(async () => (await row('while refusing')).status === 'sent');
    await sleep(500);
    expect(smtp.withSubject('while refusing')).toHaveLength(1);
  });

  it('keeps pending mail across a restart while the SMTP server is down', async () => {
    await smtp.close();
    await send('across a restart');
    await attemptsOf('across a restart', 1);
    await server.stop();

    await smtp.start();
    server = await startTestServer({ database: server.database, env: env() });
    await waitFor(async () => smtp.withSubject('across a restart').length === 1, 15000, 'the mail after the restart');
    await waitFor(async () => (await row('across a restart')).status === 'sent');
    await sleep(300);
    expect(smtp.withSubject('across a restart')).toHaveLength(1);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { enqueueMail } from '../../src/notifications/mail-outbox';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

describe('mail without SMTP_URL: .eml files under DATA_DIR/mail', () => {
  let server: TestServer;
  const mailDir = () => path.join(server.database.dataDir, 'mail');

  beforeAll(async () => {
    server = await startTestServer({ env: { MAIL_FROM: 'Model Ops <mlops@models.example.com>' } });
  });
  afterAll(() => server?.close());

  it('writes each committed mail as <outbox id>.eml with the right headers and body', async () => {
    await server.stagegate.db.transaction((trx) =>
      enqueueMail(trx, {
        to: ['rita@example.com', 'Ravi Kumar <ravi@example.com>'],
        subject: 'Backtest breached: churn (AUC 0.71 < 0.80)',
        text: 'The daily backtest of churn breached its threshold.',
        html: '<p>The daily backtest of <b>churn</b> breached its threshold.</p>',
      }),
    );
    const outboxRow = await waitFor(async () => {
      const row = await server.stagegate.db('mail_outbox').first();
      return row?.status === 'sent' ? row : null;
    });
    const file = path.join(mailDir(), `${outboxRow.id}.eml`);
    expect(fs.readdirSync(mailDir())).toEqual([`${outboxRow.id}.eml`]);

    const raw = fs.readFileSync(file, 'utf8');
    expect(raw).toMatch(/^From: Model Ops <mlops@models\.example\.com>\r$/m);
    expect(raw).toMatch(/^To: rita@example\.com, Ravi Kumar <ravi@example\.com>\r$/m);
    expect(raw).toMatch(/^Subject: Backtest breached: churn \(AUC 0\.71 < 0\.80\)\r$/m);
    expect(raw).toMatch(new RegExp(`^Message-ID: <${outboxRow.id}@models\\.example\\.com>\\r$`, 'm'));
    expect(raw).toMatch(/^Date: /m);

    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Backtest breached: churn (AUC 0.71 < 0.80)');
    expect(parsed.text?.trim()).toBe('The daily backtest of churn breached its threshold.');
    expect(parsed.html).toContain('<b>churn</b>');
    expect(outboxRow).toMatchObject({ attempts: 1, message_id: `<${outboxRow.id}@models.example.com>` });
  });
});

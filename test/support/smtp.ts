/**
 * A real SMTP server (the `smtp-server` package) inside the test process,
 * on 127.0.0.1, that parses what it receives with `mailparser`.
 */
import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './http';

export interface ReceivedMail {
  /** RCPT TO addresses of the SMTP envelope. */
  envelopeTo: string[];
  /** The authenticated SMTP user, if the client logged in. */
  user: string | undefined;
  parsed: ParsedMail;
  raw: string;
}

export interface TestSmtpServerOptions {
  /** Listen on this port (default: a free one). */
  port?: number;
  /** Require this login. */
  auth?: { user: string; pass: string };
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** While true, every RCPT TO is answered `451` (a temporary failure). */
  failing = false;
  /** RCPT TO commands refused while failing. */
  refused = 0;
  private server: SMTPServer | null = null;

  constructor(
    readonly port: number,
    private readonly options: TestSmtpServerOptions = {},
  ) {}

  /** smtp:// URL of this server (with the login when one is required). */
  get url(): string {
    const auth = this.options.auth;
    const login = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : '';
    return `smtp://${login}127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  async start(): Promise<void> {
    const auth = this.options.auth;
    const server = new SMTPServer({
      logger: false,
      // No TLS in tests: nodemailer would try STARTTLS against a self-signed certificate.
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !auth,
      allowInsecureAuth: true,
      closeTimeout: 500,
      onAuth: (login, _session, callback) => {
        if (auth && login.username === auth.user && login.password === auth.pass) callback(null, { user: login.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo: (_address, _session, callback) => {
        if (!this.failing) return callback();
        this.refused += 1;
        callback(Object.assign(new Error('Mailbox temporarily unavailable, try again later'), { responseCode: 451 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              this.received.push({
                envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
                user: session.user as string | undefined,
                parsed,
                raw,
              });
              callback();
            })
            .catch((err) => callback(err));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    server.on('error', () => undefined);
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Waits until at least `count` mails have arrived; returns them all. */
  waitForMail(count = 1, timeoutMs = 15000): Promise<ReceivedMail[]> {
    return waitFor(async () => (this.received.length >= count ? this.received : null), timeoutMs, `${count} mail(s) at the SMTP server`);
  }

  /** Mails whose Subject is `subject`. */
  withSubject(subject: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.parsed.subject === subject);
  }
}

/** A port nothing listens on right now (for "SMTP server down"). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts an SMTP server on a free port. */
export async function startSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const server = new TestSmtpServer(options.port ?? (await freePort()), options);
  await server.start();
  return server;
}

/**
 * Where mail goes (SPEC §2 Mail): a real SMTP server when `SMTP_URL` is set,
 * else `.eml` files under `DATA_DIR/mail/` (the embedded default).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config';

/** One message as the transport sends it. */
export interface OutgoingMail {
  /** The outbox id: names the .eml file and the Message-ID. */
  id: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
}

export interface SentMail {
  messageId: string;
  /** Recipients the server refused while accepting the others. */
  rejected: string[];
}

export interface MailTransport {
  /** Where mail goes, for the logs; never contains credentials. */
  readonly description: string;
  /** Resolves once the server accepted the message (or the file is written); rejects otherwise. */
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

// An unreachable or stalled server must fail a send well within the dispatcher's claim.
const SMTP_TIMEOUTS = { connectionTimeout: 15000, greetingTimeout: 15000, socketTimeout: 60000 };

/** The transport the configuration asks for. */
export function createMailTransport(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'DATA_DIR'>): MailTransport {
  return config.SMTP_URL
    ? smtpTransport(config.SMTP_URL, config.MAIL_FROM)
    : fileTransport(path.resolve(config.DATA_DIR, 'mail'), config.MAIL_FROM);
}

function smtpTransport(smtpUrl: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    ...SMTP_TIMEOUTS,
    // Message content comes from process data: never let it name local files or URLs to embed.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const url = new URL(smtpUrl);
  return {
    description: `${url.protocol}//${url.host}`,
    async send(mail) {
      const info = await transporter.sendMail(message(mail, from));
      return { messageId: info.messageId, rejected: info.rejected.map(String) };
    },
    close: () => transporter.close(),
  };
}

function fileTransport(directory: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    description: `files in ${directory}`,
    async send(mail) {
      const info = await transporter.sendMail(message(mail, from));
      await fs.mkdir(directory, { recursive: true });
      const file = path.join(directory, `${mail.id}.eml`);
      // Written whole then renamed, so a reader never sees half a message.
      await fs.writeFile(`${file}.tmp`, info.message as Buffer);
      await fs.rename(`${file}.tmp`, file);
      return { messageId: info.messageId, rejected: [] };
    },
    close: () => transporter.close(),
  };
}

function message(mail: OutgoingMail, from: string) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html === null ? {} : { html: mail.html }),
    // Stable across retries, so a receiver can recognise a message sent twice after a crash.
    messageId: `<${mail.id}@${domainOf(from)}>`,
  };
}

function domainOf(address: string): string {
  return /@([^\s<>@]+)>?\s*$/.exec(address)?.[1] ?? 'stagegate.localhost';
}

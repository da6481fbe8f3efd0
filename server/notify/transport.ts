// Where a message physically goes: an SMTP server (VIGIL_SMTP_URL) or, without one, an RFC 822
// .eml file per message in data/outbox, so a demo or a test can read exactly what would be mailed.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { MessageKind, OutboxReply } from '../risk/contract.ts';

export interface Mail {
  id: number;
  key: string;
  kind: MessageKind;
  recipients: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Delivery {
  transport: 'smtp' | 'file';
  messageId: string;
  file: string | null;
}

export interface MailTransport {
  describe(): OutboxReply['transport'];
  send(mail: Mail): Promise<Delivery>;
  close(): void;
}

export const DEFAULT_FROM = 'Vigil <vigil@localhost>';

/** Derived from the outbox key, so a receiver (or a resend after a crash) carries the same id and can be deduplicated. */
export const messageIdOf = (key: string) => `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@vigil>`;

const mailOptions = (mail: Mail, from: string) => ({
  from,
  to: mail.recipients.join(', '),
  subject: mail.subject,
  text: mail.text,
  html: mail.html,
  messageId: messageIdOf(mail.key),
  headers: { 'X-Vigil-Kind': mail.kind },
});

function smtpTransport(url: string, from: string): MailTransport {
  const parsed = new URL(url);
  // short timeouts: a dead server should fail the attempt and leave the row to the backoff, not hang the loop
  const transporter = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return {
    describe: () => ({ kind: 'smtp', host: parsed.host }),
    async send(mail) {
      const options = mailOptions(mail, from);
      await transporter.sendMail(options);
      return { transport: 'smtp', messageId: options.messageId, file: null };
    },
    close: () => transporter.close(),
  };
}

function fileTransport(folder: string, from: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    describe: () => ({ kind: 'file', folder }),
    async send(mail) {
      const options = mailOptions(mail, from);
      const info = await composer.sendMail(options);
      await mkdir(folder, { recursive: true });
      const file = join(folder, `${mail.id}-${mail.kind}.eml`);
      await writeFile(file, info.message as Buffer);
      return { transport: 'file', messageId: options.messageId, file };
    },
    close: () => composer.close(),
  };
}

export function createMailTransport(opts: { smtpUrl?: string; outboxDir: string; from?: string }): MailTransport {
  const from = opts.from || DEFAULT_FROM;
  return opts.smtpUrl ? smtpTransport(opts.smtpUrl, from) : fileTransport(opts.outboxDir, from);
}

import nodemailer, { type Transporter } from 'nodemailer';
import { env } from '../env';

/**
 * Mail sent by Muninn itself (password resets, invitations), through the operator's SMTP server
 * (MUNINN_SMTP_URL, e.g. smtps://user:pass@smtp.example.com). Without it (development), the mail
 * is printed to the server log so the link can be followed. Under test, mail is kept in `outbox`.
 * The operator configures this server, so the SSRF guard of agents does not apply here.
 */
export interface SystemMail {
  to: string;
  subject: string;
  text: string;
}

export const outbox: SystemMail[] = [];

let transport: Transporter | undefined;

export async function sendSystemMail(mail: SystemMail): Promise<void> {
  if (process.env.NODE_ENV === 'test') {
    outbox.push(mail);
    return;
  }
  const url = env().MUNINN_SMTP_URL;
  if (!url) {
    console.log(`[mail] No MUNINN_SMTP_URL set, so this mail is shown here instead of sent.\n  To: ${mail.to}\n  Subject: ${mail.subject}\n\n${mail.text.replace(/^/gm, '  ')}\n`);
    return;
  }
  transport ??= nodemailer.createTransport(url);
  await transport.sendMail({ from: env().MUNINN_MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
}

import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { dataPaths } from '../server/config.ts';
import { AppDb } from '../server/db/appdb.ts';
import { getOutboxMessage } from '../server/notify/outbox.ts';
import { OutboxSender } from '../server/notify/sender.ts';
import { messageIdOf } from '../server/notify/transport.ts';
import { tempDir } from './helpers/app.ts';
import { breachMessage } from './fixtures/notifyData.ts';
import { parseMail, startSmtpPeer, type SmtpPeer } from './fixtures/smtpPeer.ts';

/** Runs the fixture until it has queued the message, then kills it as hard as a crash would. */
async function queueThenKill(root: string, alertId: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/enqueueThenHang.ts', root, String(alertId)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const id = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /queued (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the fixture exited (${code}) before queueing: ${stderr}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return id;
}

let root: string;
let peer: SmtpPeer;

beforeEach(async () => {
  root = await tempDir('notify-restart');
  peer = await startSmtpPeer();
});

afterEach(async () => {
  await peer.close();
  await rm(root, { recursive: true, force: true });
});

it('delivers a message queued by a process killed before sending exactly once after the restart', async () => {
  const id = await queueThenKill(root, 77);
  expect(peer.received).toHaveLength(0);

  const db = await AppDb.open(dataPaths(root).appDb);
  const sender = OutboxSender.create(db, { smtpUrl: peer.url, outboxDir: dataPaths(root).outbox });
  try {
    expect(await getOutboxMessage(db, id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await sender.drain()).toBe(1);
    expect(await sender.drain()).toBe(0);
    expect(peer.received).toHaveLength(1);
    expect(parseMail(peer.received[0]).headers.get('message-id')).toBe(messageIdOf(breachMessage(77).key));
    expect(await getOutboxMessage(db, id)).toMatchObject({ status: 'sent', transport: 'smtp' });
  } finally {
    await sender.stop();
    await db.close();
  }

  // a second restart finds nothing left to send
  const reopened = await AppDb.open(dataPaths(root).appDb);
  const again = OutboxSender.create(reopened, { smtpUrl: peer.url, outboxDir: dataPaths(root).outbox });
  try {
    expect(await again.drain()).toBe(0);
    expect(peer.received).toHaveLength(1);
  } finally {
    await again.stop();
    await reopened.close();
  }
});

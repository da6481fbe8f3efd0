// The optional daily digest: one message listing every open alert, to everyone who receives
// alerts of those indicators. Keyed by day, so a restart or a second run that day sends nothing new.
import type { AppDb } from '../db/appdb.ts';
import { digestMessage } from '../notify/messages.ts';
import { enqueueMessage } from '../notify/outbox.ts';
import { listAlerts, listIndicators } from './indicatorStore.ts';

export interface DigestDeps {
  db: AppDb;
  outbox: { wake(): void };
  appUrl: string;
}

/** Queues today's digest; null when no alert is open or nobody is to be told. */
export async function queueDigest(deps: DigestDeps, now = new Date()): Promise<{ outboxId: number; inserted: boolean } | null> {
  const alerts = await listAlerts(deps.db, { status: 'active' });
  if (!alerts.length) return null;
  const indicators = await listIndicators(deps.db, { ids: [...new Set(alerts.map((a) => a.indicatorId))] });
  const recipients = [...new Set(indicators.flatMap((i) => i.recipients))].sort();
  if (!recipients.length) return null;
  const { id, inserted } = await enqueueMessage(deps.db, { key: `digest:${now.toISOString().slice(0, 10)}`, kind: 'digest', recipients, ...digestMessage(alerts, deps.appUrl) });
  deps.outbox.wake();
  return { outboxId: id, inserted };
}

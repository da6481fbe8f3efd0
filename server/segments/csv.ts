// The customer list as CSV: the list's columns (already masked in SQL), RFM first.
import type { CustomerRow } from './contract.ts';

export const CSV_COLUMNS: (keyof CustomerRow)[] = [
  'customer_id', 'segment', 'r', 'f', 'm', 'recency_days', 'frequency', 'monetary', 'last_order_at',
  'name', 'phone', 'address', 'city', 'region', 'platform_id', 'member_tier', 'first_seen_at',
];

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  // a leading = + - @ would be read as a formula by spreadsheets
  const safe = /^[=+\-@]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(columns: readonly string[], rows: Record<string, unknown>[]): string {
  return [columns.join(','), ...rows.map((row) => columns.map((c) => csvField(row[c])).join(','))].join('\r\n') + '\r\n';
}

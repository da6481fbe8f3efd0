// Values in emails: an indicator's unit adds 'hours' to the KPI units, and a subject line reads
// better with one decimal on rates than the dashboard's two.
import { formatValue } from '../metrics/format.ts';
import type { IndicatorWithState } from '../risk/contract.ts';

export type IndicatorUnit = IndicatorWithState['unit'];

const fixed = (value: number, digits: number) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function formatUnitValue(unit: IndicatorUnit, value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (unit === 'percent') return `${fixed(value * 100, 1)}%`;
  if (unit === 'permille') return `${fixed(value * 1000, 1)}‰`;
  if (unit === 'hours') return `${fixed(value, 1)} h`;
  return formatValue(unit, value);
}

/** "84 of 2,003" — the sample behind a rate; empty when the indicator has none. */
export function formatSample(numerator: number | null | undefined, denominator: number | null | undefined): string {
  if (numerator === null || numerator === undefined || denominator === null || denominator === undefined) return '';
  const digits = Number.isInteger(numerator) && Number.isInteger(denominator) ? 0 : 2;
  return `${fixed(numerator, digits)} of ${fixed(denominator, digits)}`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

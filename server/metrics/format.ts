// KPI values as text, by unit: money with thousands separators and cents, rates as % or ‰.
// Rounding happens here, for display only; the engine's numbers are never rounded.
import type { KpiValue, Unit } from './contract.ts';

const number = (value: number, digits: number) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function formatValue(unit: Unit, value: number | null): string {
  if (value === null) return '–';
  switch (unit) {
    case 'money':
      return number(value, 2);
    case 'count':
      return number(value, 0);
    case 'percent':
      return `${number(value * 100, 2)}%`;
    case 'permille':
      return `${number(value * 1000, 2)}‰`;
    case 'seconds':
      return `${number(value, 1)} s`;
    case 'rating':
      return number(value, 2);
  }
}

/** Change against a comparison: points of the unit for rates, a relative change otherwise. */
export function formatChange(unit: Unit, value: number | null, base: KpiValue | undefined): string {
  if (value === null || !base || base.value === null) return '–';
  const sign = (d: number) => (d > 0 ? '+' : '');
  if (unit === 'percent') return `${sign(value - base.value)}${number((value - base.value) * 100, 2)} pp`;
  if (unit === 'permille') return `${sign(value - base.value)}${number((value - base.value) * 1000, 2)}‰`;
  if (base.value === 0) return '–';
  const change = (value - base.value) / Math.abs(base.value);
  return `${sign(change)}${number(change * 100, 1)}%`;
}

/** "71 / 10,000" for a rate, the reason when there is no value, nothing otherwise. */
export function formatNote(v: KpiValue): string {
  if (v.numerator !== undefined && v.denominator !== undefined) {
    const digits = Number.isInteger(v.numerator) && Number.isInteger(v.denominator) ? 0 : 2;
    return `${number(v.numerator, digits)} / ${number(v.denominator, digits)}${v.value === null && v.reason ? ` (${v.reason})` : ''}`;
  }
  return v.value === null ? (v.reason ?? '') : '';
}

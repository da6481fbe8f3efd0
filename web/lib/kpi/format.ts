// How KPI values, changes and dimension values are shown. Every function reads the current
// language, so a component that calls one re-renders when the language changes.

import { fmtDate, fmtDuration, fmtNumber, hasKey, i18n, label, t, type MessageKey } from '$lib/i18n.svelte';
import type { CatalogReply, FilterDimension, KpiDefinitionInfo, KpiValue, Unit, BreakdownDimension } from './types';
import { dayCount } from './dates';

export const DASH = '—';

function money(value: number, digits: number): string {
  const sign = value < 0 ? '-' : '';
  return `${sign}¥${fmtNumber(Math.abs(value), { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** A KPI value in full: ¥12,345,678 / ¥245.37, 2.83%, 7.10‰, 42 s, 4.52, 1,234. */
export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  switch (unit) {
    case 'money':
      return money(value, Math.abs(value) >= 1000 ? 0 : 2);
    case 'percent': {
      const digits = Math.abs(value) < 0.1 ? 2 : 1;
      return fmtNumber(value, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });
    }
    case 'permille':
      return `${fmtNumber(value * 1000, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}‰`;
    case 'seconds':
      return fmtDuration(value * 1000);
    case 'rating':
      return fmtNumber(value, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    default:
      return fmtNumber(value, { maximumFractionDigits: Number.isInteger(value) ? 0 : 2 });
  }
}

/** A short value for chart axes and labels: ¥1.2M / ¥120万, 2.8%, 7‰. */
export function formatCompact(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  switch (unit) {
    case 'money': {
      const sign = value < 0 ? '-' : '';
      const abs = Math.abs(value);
      return `${sign}¥${abs < 1000 ? fmtNumber(abs, { maximumFractionDigits: 0 }) : fmtNumber(abs, { notation: 'compact', maximumFractionDigits: 1 })}`;
    }
    case 'count':
      return Math.abs(value) < 10_000 ? fmtNumber(value, { maximumFractionDigits: 0 }) : fmtNumber(value, { notation: 'compact', maximumFractionDigits: 1 });
    case 'percent':
      return fmtNumber(value, { style: 'percent', maximumFractionDigits: Math.abs(value) < 0.1 ? 1 : 0 });
    case 'permille':
      return `${fmtNumber(value * 1000, { maximumFractionDigits: 1 })}‰`;
    case 'seconds':
      return t('unit.seconds', { n: fmtNumber(value, { maximumFractionDigits: 0 }) });
    default:
      return formatValue(value, unit);
  }
}

/** A numerator or denominator: whole numbers as they are, amounts rounded to whole units. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return fmtNumber(value, { maximumFractionDigits: Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : 2 });
}

export interface Delta {
  /** relative change (0.05 = +5 %) or a difference in the value's own unit */
  kind: 'relative' | 'points' | 'permille' | 'absolute';
  value: number;
}

/**
 * The change from `previous` to `current`: relative for amounts and durations, percentage points
 * for percentages, per-mille points for ‰ rates, a plain difference for ratings.
 */
export function deltaOf(current: KpiValue | undefined, previous: KpiValue | undefined, unit: Unit): Delta | null {
  const a = current?.value;
  const b = previous?.value;
  if (a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  switch (unit) {
    case 'percent':
      return { kind: 'points', value: a - b };
    case 'permille':
      return { kind: 'permille', value: a - b };
    case 'rating':
      return { kind: 'absolute', value: a - b };
    default:
      if (b === 0) return null;
      return { kind: 'relative', value: (a - b) / Math.abs(b) };
  }
}

function signed(text: string, value: number): string {
  if (value > 0) return `+${text}`;
  if (value < 0) return `−${text.replace(/^-/, '')}`;
  return text;
}

/** Below this a change rounds to zero at the precision it is shown with. */
function flatBelow(kind: Delta['kind']): number {
  return kind === 'relative' ? 0.0005 : kind === 'points' ? 0.00005 : kind === 'permille' ? 0.000005 : 0.005;
}

export function isFlat(delta: Delta): boolean {
  return Math.abs(delta.value) < flatBelow(delta.kind);
}

export function formatDelta(delta: Delta | null): string {
  if (!delta) return DASH;
  const v = isFlat(delta) ? 0 : delta.value;
  switch (delta.kind) {
    case 'relative': {
      const digits = Math.abs(v) < 0.1 ? 1 : 0;
      return signed(fmtNumber(Math.abs(v), { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }), v);
    }
    case 'points':
      return signed(t('unit.pp', { n: fmtNumber(Math.abs(v) * 100, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) }), v);
    case 'permille':
      return signed(`${fmtNumber(Math.abs(v) * 1000, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}‰`, v);
    default:
      return signed(fmtNumber(Math.abs(v), { minimumFractionDigits: 2, maximumFractionDigits: 2 }), v);
  }
}

export type Tone = 'good' | 'bad' | 'flat' | 'neutral';

/** Green when the change is an improvement for this KPI, red when it is a deterioration. */
export function toneOf(delta: Delta | null, direction: KpiDefinitionInfo['direction']): Tone {
  if (!delta) return 'neutral';
  if (isFlat(delta)) return 'flat';
  if (direction === 'neutral') return 'neutral';
  const up = delta.value > 0;
  return up === (direction === 'higher_is_better') ? 'good' : 'bad';
}

export function kpiLabel(def: KpiDefinitionInfo | undefined, fallback = ''): string {
  if (!def) return fallback;
  return def.label[i18n.lang] || def.label.en || def.id;
}

export function kpiDescription(def: KpiDefinitionInfo): string {
  return def.description[i18n.lang] || def.description.en;
}

export function unitName(unit: Unit): string {
  switch (unit) {
    case 'money':
      return t('unit.money');
    case 'count':
      return t('unit.count');
    case 'percent':
      return t('unit.percent');
    case 'permille':
      return t('unit.permille');
    case 'seconds':
      return t('unit.secondsName');
    default:
      return t('unit.rating');
  }
}

export function dimName(dim: BreakdownDimension): string {
  return t(`dim.${dim}`);
}

/**
 * A dimension value's display name: a translation when the app knows the code (categories,
 * member tiers), else the server's label (platform or product name), else the key.
 */
export function dimValueLabel(dim: BreakdownDimension, key: string, serverLabel?: string, catalog?: CatalogReply | null): string {
  const prefix = dim === 'category' ? 'cat' : dim === 'member_tier' ? 'tier' : null;
  if (prefix) {
    const k = `${prefix}.${key}`;
    if (hasKey(k)) return t(k);
  }
  if (dim === 'promotion' && key === '(none)') return t('promotion.none');
  if (serverLabel && serverLabel !== key) return serverLabel;
  if (catalog && (dim === 'platform' || dim === 'category' || dim === 'region' || dim === 'member_tier')) {
    const found = catalog.dimensions[dim as FilterDimension]?.find((v) => v.key === key);
    if (found?.label) return found.label;
  }
  return serverLabel || key;
}

export function formatRange(from: string, to: string): string {
  return from === to ? fmtDate(from) : `${fmtDate(from)} – ${fmtDate(to)}`;
}

export function formatDays(from: string, to: string): string {
  const n = dayCount(from, to);
  return n === 1 ? t('filter.oneDay') : t('filter.days', { n: fmtNumber(n) });
}

/** A series bucket's name: the day, "Week of …", or the month. */
export function formatPeriod(period: string, grain: 'day' | 'week' | 'month', short = false): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(period);
  if (!match) return period;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (grain === 'month') {
    return new Intl.DateTimeFormat(i18n.locale, { year: short ? '2-digit' : 'numeric', month: short ? 'short' : 'long', timeZone: 'UTC' }).format(date);
  }
  const day = new Intl.DateTimeFormat(i18n.locale, short ? { month: 'numeric', day: 'numeric', timeZone: 'UTC' } : { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
  return grain === 'week' && !short ? t('grain.weekOf', { date: day }) : day;
}

const PERIOD_REASONS: Record<string, MessageKey> = {
  'no data in this period': 'why.noData',
  'no orders in this period': 'why.orders',
  'no buyers in this period': 'why.buyers',
  'no reviews in this period': 'why.reviews',
  'no shipped orders in this period': 'why.shipped',
  'no answered inquiries in this period': 'why.answered',
  'no visitors in this period': 'why.visitors',
  'no sales of products with a unit cost in this period': 'why.cost',
  'no inventory of active products in this period': 'why.inventory',
  'no order lines with a floor price in this period': 'why.floor',
  'no market size for this period': 'why.market',
};

function dimOrCode(code: string): string {
  const key = `dim.${code}`;
  return hasKey(key) ? t(key) : code;
}

/**
 * Why a KPI has no value, in the current language. The server explains in English; the
 * explanations it is known to give are translated, anything else is shown as it came.
 */
export function reasonText(reason: string | null | undefined): string {
  if (!reason) return '';
  if (i18n.lang === 'en') return reason;
  const known = PERIOD_REASONS[reason];
  if (known) return t(known);
  let m = /^no data: the snapshot has no (\w+) table$/.exec(reason);
  if (m) return t('why.noTable', { table: label('table', m[1]) });
  m = /^cannot be (filtered|split) by (\w+): (\w+) has no \w+$/.exec(reason);
  if (m) return t(m[1] === 'filtered' ? 'why.filtered' : 'why.split', { dim: dimOrCode(m[2]), table: label('table', m[3]) });
  return reason;
}

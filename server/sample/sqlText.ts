// Small builders for SQL text. The generator's values are constants of its own making or
// validated options, so they are written into the SQL as literals rather than bound parameters
// (DuckDB takes no parameters in CREATE MACRO or COPY ... TO).
import { literal } from '../db/duck.ts';

export const str = literal;

export function date(iso: string): string {
  return `DATE ${literal(iso)}`;
}

/** The last second of a day, the latest moment any generated event may have. */
export function endOfDay(iso: string): string {
  return `TIMESTAMP ${literal(`${iso} 23:59:59`)}`;
}

export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

export function strList(values: readonly string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}

/** One element of a constant list, chosen by a uniform draw `u` in [0, 1). */
export function element(list: string, u: string): string {
  return `list_extract(${list}, 1 + floor(${u} * len(${list}))::BIGINT)`;
}

/**
 * A weighted choice: nested CASEs bisecting the cumulative thresholds of a uniform draw `u`, so a
 * row meets log2(n) comparisons rather than n. Choices are SQL expressions with relative weights.
 * `u` is evaluated at every level: pass a column, not a call.
 */
export function pick(u: string, choices: ReadonlyArray<readonly [string, number]>): string {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let cumulative = 0;
  const upTo = choices.map(([, w]) => (cumulative += w) / total);
  const bisect = (lo: number, hi: number): string => {
    if (lo === hi) return choices[lo][0];
    const mid = Math.floor((lo + hi) / 2);
    return `CASE WHEN ${u} < ${num(upTo[mid])} THEN ${bisect(lo, mid)} ELSE ${bisect(mid + 1, hi)} END`;
  };
  return bisect(0, choices.length - 1);
}

/** `pick` over string literals. */
export function pickStr(u: string, choices: ReadonlyArray<readonly [string, number]>): string {
  return pick(u, choices.map(([value, weight]) => [literal(value), weight] as const));
}

/** CASE key WHEN k THEN v ... ELSE fallback END, for per-platform or per-carrier settings. */
export function caseOf(key: string, entries: ReadonlyArray<readonly [string, string]>, fallback = 'NULL'): string {
  return `CASE ${key} ${entries.map(([k, v]) => `WHEN ${literal(k)} THEN ${v}`).join(' ')} ELSE ${fallback} END`;
}

/** `pick` over integers, typed INTEGER. */
export function pickInt(u: string, choices: ReadonlyArray<readonly [number, number]>): string {
  return `(${pick(u, choices.map(([value, weight]) => [String(value), weight] as const))})::INTEGER`;
}

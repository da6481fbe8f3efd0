// Field-level history: what a change did, one entry per field whose value differs.
import type { Change } from './store.ts';

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Entries for every key of `after` whose value differs from `before`; `label` names the field as history shows it. */
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>, label: (key: string) => string = (k) => k): Change[] {
  return Object.keys(after)
    .filter((k) => text(before[k]) !== text(after[k]))
    .map((k) => ({ field: label(k), oldValue: text(before[k]), newValue: text(after[k]) }));
}

/** The part of `after` that differs from `before`: what an UPDATE needs to set. */
export function changedPart<T extends Record<string, unknown>>(before: T, after: Partial<T>): Partial<T> {
  const keys = new Set(diff(before, after).map((c) => c.field));
  return Object.fromEntries(Object.entries(after).filter(([k]) => keys.has(k))) as Partial<T>;
}

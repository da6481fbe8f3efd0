// The parameter inputs of the editor: one declaration per `$name` placeholder of the SQL,
// keeping what the user already declared for a name when the SQL changes.
import { placeholders } from './tokens.ts';
import type { ParamValues, QueryParam } from './types.ts';

/** Declarations for the placeholders of `sql`: existing ones kept, new names declared as text without a default. */
export function declarationsFor(sql: string, existing: QueryParam[]): QueryParam[] {
  const byName = new Map(existing.map((p) => [p.name, p]));
  return placeholders(sql).map((name) => byName.get(name) ?? { name, type: 'text', default: null });
}

/** The values to send: what the user typed, or the declared default; empty inputs are left to the default. */
export function valuesFor(params: QueryParam[], typed: Record<string, string>): ParamValues {
  const values: ParamValues = {};
  for (const p of params) {
    const raw = typed[p.name];
    if (raw === undefined || raw === '') continue;
    values[p.name] = p.type === 'number' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return values;
}

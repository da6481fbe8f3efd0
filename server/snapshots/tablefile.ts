// A file holding one canonical table: its headers (mapped by the mapping, else matched by name)
// and the mapping's constants become the canonical columns, as text for checks.ts.
import { ident, literal } from '../db/duck.ts';
import type { Candidate } from './checks.ts';
import { IngestError } from './failure.ts';
import type { TableSource } from './inputs.ts';
import { findHeader, type LoadedSource } from './read.ts';
import { TABLES } from './schema.ts';

export function tableCandidate(source: TableSource, loaded: LoadedSource, warnings: string[]): Candidate {
  const label = source.origin.name;
  const def = TABLES[source.table];
  const mappedFrom = new Map(Object.entries(source.columns).map(([header, column]) => [column, header]));
  const used = new Set<number>();
  const missing: string[] = [];

  const columns = def.columns.map((c) => {
    if (c.name in source.constants) {
      const value = source.constants[c.name];
      return `${value === null ? 'NULL::VARCHAR' : literal(String(value))} AS ${ident(c.name)}`;
    }
    const header = mappedFrom.get(c.name) ?? c.name;
    const k = findHeader(loaded.headers, header);
    if (k === undefined) {
      if (mappedFrom.has(c.name)) warnings.push(`${label}: the mapping names column "${header}" for ${c.name}, but the file has no such column`);
      if (c.required) missing.push(c.name);
      return `NULL::VARCHAR AS ${ident(c.name)}`;
    }
    used.add(k);
    return `c${k} AS ${ident(c.name)}`;
  });

  if (missing.length) {
    throw new IngestError(`${label}: ${source.table} lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the file has ${loaded.headers.join(', ') || 'no columns'})`);
  }
  const ignored = loaded.headers.filter((_, k) => !used.has(k));
  if (ignored.length) warnings.push(`${label}: ignored column${ignored.length > 1 ? 's' : ''} ${ignored.join(', ')} (not ${source.table} columns; map them in the mapping to use them)`);

  return {
    src: source.id,
    label,
    select: `SELECT ${source.id} AS __src, rowid + 1 AS __row, ${columns.join(', ')} FROM ${loaded.table}`,
    values: { from: loaded.table, row: 'rowid', columns: loaded.headers.map((_, k) => `c${k}`), headers: loaded.headers },
  };
}

// What running a saved query sends to the sandbox: its SQL and declared parameters, with the
// values given for those parameters (the sandbox applies the defaults of the others). Values for
// names the query does not declare are dropped, so a dashboard can pass its shared inputs to
// every tile.
import type { ParamValues, RunBody, SavedQuery } from './contract.ts';

export interface SavedRunOptions {
  values: ParamValues;
  snapshot?: string;
  runId?: string;
  limit: number;
}

export function savedRunBody(query: Pick<SavedQuery, 'sql' | 'params'>, opts: SavedRunOptions): RunBody {
  const declared = new Set(query.params.map((p) => p.name));
  const values = Object.fromEntries(Object.entries(opts.values).filter(([name]) => declared.has(name)));
  return { sql: query.sql, params: query.params, values, snapshot: opts.snapshot, runId: opts.runId, limit: opts.limit };
}

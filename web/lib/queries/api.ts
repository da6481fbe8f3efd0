// The workbench's calls to /api/queries/… (through the one client in $lib/api).
import { api, get, post } from '$lib/api';
import type { HistoryEntry, ParamValues, QueriesReply, QueryParam, RunReply, SavedQuery, SavedQueryInput, SavedQueryVersion, SchemaReply } from './types.ts';

export interface RunRequest {
  sql: string;
  params: QueryParam[];
  values: ParamValues;
  runId: string;
}

/** An id for a run, chosen here so that Cancel can name it while the run is under way. */
export function newRunId(): string {
  return crypto.randomUUID();
}

export const runQuery = (body: RunRequest, signal?: AbortSignal) => post<RunReply>('/api/queries/run', body, { signal });
/** The whole result of an unsaved query as a file, written by the server's sandbox. */
export const downloadRun = (body: Omit<RunRequest, 'runId'>, format: 'csv' | 'parquet') => post<Blob>('/api/queries/run/download', { ...body, format }, { as: 'blob' });
export const cancelRun = (runId: string) => post<{ cancelled: boolean }>(`/api/queries/runs/${encodeURIComponent(runId)}/cancel`);
export const loadSchema = () => get<SchemaReply>('/api/queries/schema');
export const loadHistory = () => get<{ history: HistoryEntry[] }>('/api/queries/history').then((r) => r.history);

export function listQueries(filter: { q?: string; tag?: string }): Promise<QueriesReply> {
  const params = new URLSearchParams();
  if (filter.q) params.set('q', filter.q);
  if (filter.tag) params.set('tag', filter.tag);
  const qs = params.toString();
  return get<QueriesReply>(`/api/queries${qs ? `?${qs}` : ''}`);
}

const path = (id: string) => `/api/queries/${encodeURIComponent(id)}`;

export const getQuery = (id: string) => get<SavedQuery>(path(id));
export const createQuery = (input: SavedQueryInput) => post<SavedQuery>('/api/queries', input);
export const updateQuery = (id: string, input: SavedQueryInput) => api<SavedQuery>(path(id), { method: 'PUT', body: input });
export const loadVersions = (id: string) =>
  get<{ versions: SavedQueryVersion[] }>(`${path(id)}/versions`).then((r) => r.versions);
export const restoreVersion = (id: string, version: number) => post<SavedQuery>(`${path(id)}/restore`, { version });
export const importSql = (text: string) => post<SavedQuery>('/api/queries/import', { text });

export const exportUrl = (id: string) => `${path(id)}/export`;
export function downloadUrl(id: string, format: 'csv' | 'parquet', values: ParamValues): string {
  const params = new URLSearchParams({ format });
  if (Object.keys(values).length) params.set('values', JSON.stringify(values));
  return `${path(id)}/download?${params}`;
}

/** Runs a saved query with its declared parameters (every role, for the queries it may see). */
export const runSaved = (id: string, body: { values: ParamValues; runId: string }, signal?: AbortSignal) =>
  post<RunReply>(`${path(id)}/run`, body, { signal });

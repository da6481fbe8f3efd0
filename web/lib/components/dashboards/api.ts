// The dashboard and saved-query calls the dashboard pages make (server/http/routes/dashboards.ts
// and savedQueries.ts).

import { api, get, post } from '$lib/api';
import { newTile } from './grid';
import type { Dashboard, DashboardInput, DashboardsReply, DashboardTile, ParamValues, QueriesReply, RunReply, SavedQuery } from './types';

const path = (id: string) => `/api/dashboards/${encodeURIComponent(id)}`;

export const listDashboards = () => get<DashboardsReply>('/api/dashboards');
export const getDashboard = (id: string) => get<Dashboard>(path(id));
export const createDashboard = (input: Partial<DashboardInput> & { name: string }) => post<Dashboard>('/api/dashboards', input);
export const saveDashboard = (id: string, input: DashboardInput) => api<Dashboard>(path(id), { method: 'PUT', body: input });
export const deleteDashboard = (id: string) => api<void>(path(id), { method: 'DELETE' });

export const listQueries = () => get<QueriesReply>('/api/queries');
export const getQuery = (id: string) => get<SavedQuery>(`/api/queries/${encodeURIComponent(id)}`);
export const runQuery = (id: string, values: ParamValues, signal?: AbortSignal) =>
  post<RunReply>(`/api/queries/${encodeURIComponent(id)}/run`, { values }, { signal });

/** The editable part of a dashboard, as PUT takes it. */
export function inputOf(d: DashboardInput): DashboardInput {
  return { name: d.name, description: d.description, visibility: d.visibility, params: d.params, tiles: d.tiles };
}

/** Pins a saved query to a dashboard: a chart tile (a table when the query has no chart) on the next free row. */
export async function pinQuery(dashboard: Dashboard, query: Pick<SavedQuery, 'id' | 'chart'>): Promise<Dashboard> {
  const tile: DashboardTile = newTile(dashboard.tiles, query.id, query.chart ? 'chart' : 'table');
  return saveDashboard(dashboard.id, { ...inputOf(dashboard), tiles: [...dashboard.tiles, tile] });
}

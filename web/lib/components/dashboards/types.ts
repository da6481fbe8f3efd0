// The shapes the dashboard pages use, straight from the server's contract (type-only imports).
export type {
  ChartSpec,
  Dashboard,
  DashboardInput,
  DashboardsReply,
  DashboardTile,
  ParamValues,
  QueryParam,
  QueriesReply,
  RunReply,
  SavedQuery,
} from '../../../../server/queries/contract.ts';

// The risk API's contract: indicators, evaluations, alerts, the register and the outbox as the
// server, the CLI, the Risk page and the tests see them. DESIGN.md "Risk model" is the
// specification; server/risk/README.md explains the state machine.
import { z } from 'zod';
import { BREAKDOWN_DIMENSIONS, FILTER_DIMENSIONS } from '../metrics/contract.ts';
import { isoDate } from '../segments/contract.ts';

export { isoDate };

// ---------------------------------------------------------------- indicators

export const INDICATOR_SOURCES = ['kpi', 'query', 'freshness', 'ingest_rejection'] as const;
export type IndicatorSource = (typeof INDICATOR_SOURCES)[number];

export const DIRECTIONS = ['higher_is_worse', 'lower_is_worse'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** `previous`: value = relative change against the window just before; `yoy`: against the same window a year earlier. */
export const COMPARES = ['none', 'previous', 'yoy'] as const;
export type Compare = (typeof COMPARES)[number];

/** Optional statistical gate on top of the thresholds (see server/risk/README.md). */
export const STAT_RULES = ['none', 'wilson', 'ewma', 'sigma3'] as const;
export type StatRule = (typeof STAT_RULES)[number];

export const Filters = z.object(Object.fromEntries(FILTER_DIMENSIONS.map((d) => [d, z.array(z.string().min(1).max(200)).max(100).optional()])) as {
  [K in (typeof FILTER_DIMENSIONS)[number]]: z.ZodOptional<z.ZodArray<z.ZodString>>;
});
export type Filters = z.infer<typeof Filters>;

const slug = z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'lower-case letters, digits and _ (2–63 characters, starting with a letter)');
const email = z.string().email('not an email address').max(254);

/** What a user writes when creating or editing an indicator. Thresholds are in the KPI's own unit (rates as fractions 0–1). */
export const IndicatorInput = z
  .object({
    id: slug,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).default(''),
    source: z.enum(INDICATOR_SOURCES).default('kpi'),
    /** a KPI id of the catalog when source = 'kpi' */
    kpi: z.string().regex(/^[a-z0-9_]+$/).nullable().default(null),
    /** a saved query's id when source = 'query' (issue 6) */
    queryId: z.string().max(100).nullable().default(null),
    filters: Filters.default({}),
    /** one state per value of this dimension (e.g. per platform); null = one state for the whole scope */
    splitBy: z.enum(BREAKDOWN_DIMENSIONS).nullable().default(null),
    windowDays: z.number().int().min(1).max(366),
    compare: z.enum(COMPARES).default('none'),
    direction: z.enum(DIRECTIONS),
    warning: z.number().finite(),
    critical: z.number().finite(),
    clear: z.number().finite(),
    /** below this denominator (or, for a count, this value of the window's orders) the state is insufficient_data */
    minSample: z.number().min(0).default(0),
    consecutive: z.number().int().min(1).max(30).default(1),
    statRule: z.enum(STAT_RULES).default('none'),
    owner: z.string().min(1).max(100),
    recipients: z.array(email).max(50).default([]),
    renotifyHours: z.number().int().min(1).max(24 * 90).default(24),
    snoozedUntil: z.string().datetime({ offset: true }).nullable().default(null),
    riskId: z.string().max(20).nullable().default(null),
    /** cron expression (5 or 6 fields) for scheduled evaluations */
    schedule: z.string().min(9).max(100).default('0 7 * * *'),
    enabled: z.boolean().default(true),
  })
  .superRefine((v, ctx) => {
    const worse = v.direction === 'higher_is_worse' ? (a: number, b: number) => a >= b : (a: number, b: number) => a <= b;
    if (!worse(v.critical, v.warning)) ctx.addIssue({ code: 'custom', path: ['critical'], message: `the critical threshold must be at least as bad as the warning threshold (${v.direction.replaceAll('_', ' ')})` });
    if (!worse(v.warning, v.clear) || v.warning === v.clear) ctx.addIssue({ code: 'custom', path: ['clear'], message: 'the clear threshold must be on the good side of the warning threshold (hysteresis)' });
    if (v.source === 'kpi' && !v.kpi) ctx.addIssue({ code: 'custom', path: ['kpi'], message: 'a KPI indicator needs a KPI' });
    if (v.source === 'query' && !v.queryId) ctx.addIssue({ code: 'custom', path: ['queryId'], message: 'a query indicator needs a saved query' });
  });
export type IndicatorInput = z.infer<typeof IndicatorInput>;

export interface Indicator extends IndicatorInput {
  builtin: boolean;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export const INDICATOR_STATES = ['ok', 'pending', 'warning', 'critical', 'recovering', 'insufficient_data', 'error'] as const;
export type IndicatorState = (typeof INDICATOR_STATES)[number];

export type Level = 'ok' | 'warning' | 'critical';

/** What the state machine remembers between steps (server/risk/README.md). */
export interface StateMemory {
  /** the alert level in force: none (ok), warning or critical */
  level: Level;
  /** consecutive steps breaching at `breachLevel` or worse while level = ok */
  breachStreak: number;
  breachLevel: Level;
  /** consecutive steps past the clear threshold while level ≠ ok */
  clearStreak: number;
  /** ISO time of the last notification of the current alert, for the re-notify interval */
  lastNotifiedAt: string | null;
  /** the open alert's id while level ≠ ok */
  alertId: number | null;
  /** the indicator's recent values (newest last, at most 60) for the statistical rules */
  history: number[];
}

/** One measured value of an indicator scope on one step. */
export interface Measurement {
  value: number | null;
  numerator?: number;
  denominator?: number;
  /** set when value is null: why (no data, below minimum sample, error text) */
  reason?: string;
}

export const TRANSITION_KINDS = ['breach', 'escalation', 'recovery', 'renotify'] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];

/** A notifiable change of one indicator scope; each has exactly one outbox message (unless snoozed or suppressed). */
export interface Transition {
  kind: TransitionKind;
  indicatorId: string;
  scope: string;
  scopeLabel: string;
  from: IndicatorState;
  to: IndicatorState;
  level: Level;
  step: string;
  asOf: string | null;
  snapshotId: string | null;
  measurement: Measurement;
  thresholds: { warning: number; critical: number; clear: number };
  alertId: number;
  evaluationId: number;
  at: string;
}

/** The live state of one indicator scope. */
export interface ScopeState {
  scope: string;
  scopeLabel: string;
  state: IndicatorState;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  evaluatedAt: string;
  step: string;
  alertId: number | null;
  snoozedUntil: string | null;
}

export interface IndicatorWithState extends Indicator {
  /** the KPI's unit, for formatting values and thresholds */
  unit: 'money' | 'count' | 'percent' | 'permille' | 'seconds' | 'rating' | 'hours';
  /** the worst state over its scopes */
  worst: IndicatorState | null;
  states: ScopeState[];
}

export interface IndicatorsReply {
  indicators: IndicatorWithState[];
}

export interface IndicatorPoint {
  /** the step's date (as-of day) */
  date: string;
  value: number | null;
  numerator?: number;
  denominator?: number;
  state: IndicatorState;
}

export interface IndicatorSeries {
  scope: string;
  scopeLabel: string;
  points: IndicatorPoint[];
}

/** The last N days of an indicator replayed through the state machine (editor preview and history charts). */
export interface IndicatorSeriesReply {
  indicatorId: string;
  snapshot: { id: string; asOf: string };
  from: string;
  to: string;
  thresholds: { warning: number; critical: number; clear: number };
  direction: Direction;
  unit: IndicatorWithState['unit'];
  /** scopes sorted worst first; at most `maxScopes` (default 12) */
  series: IndicatorSeries[];
  transitions: { date: string; scope: string; scopeLabel: string; from: IndicatorState; to: IndicatorState; kind: TransitionKind | null; value: number | null }[];
}

export const SeriesRequest = z.object({
  days: z.coerce.number().int().min(7).max(730).default(90),
  snapshot: z.string().optional(),
  maxScopes: z.coerce.number().int().min(1).max(100).default(12),
});

export const PreviewBody = z.object({
  indicator: z.unknown(),
  days: z.number().int().min(7).max(730).default(90),
  snapshot: z.string().optional(),
});

export interface EvaluationRow {
  id: number;
  indicatorId: string;
  scope: string;
  snapshotId: string | null;
  asOf: string | null;
  step: string;
  evaluatedAt: string;
  trigger: 'publish' | 'schedule' | 'manual';
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  warning: number;
  critical: number;
  clear: number;
  state: IndicatorState;
  previousState: IndicatorState | null;
  detail: string | null;
}

export const EvaluationsQuery = z.object({
  indicator: z.string().optional(),
  scope: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
});

/** What one evaluation run did (CLI `vigil evaluate --json`, POST /api/risk/evaluate). */
export interface EvaluationRunReply {
  snapshotId: string | null;
  asOf: string | null;
  trigger: 'publish' | 'schedule' | 'manual';
  evaluated: number;
  states: Record<IndicatorState, number>;
  transitions: Transition[];
  errors: { indicatorId: string; message: string }[];
}

// ---------------------------------------------------------------- alerts

export const ALERT_STATUSES = ['open', 'recovering', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface Alert {
  id: number;
  indicatorId: string;
  indicatorName: string;
  scope: string;
  scopeLabel: string;
  level: 'warning' | 'critical';
  status: AlertStatus;
  state: IndicatorState;
  openedAt: string;
  openedAsOf: string | null;
  closedAt: string | null;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  unit: IndicatorWithState['unit'];
  thresholds: { warning: number; critical: number; clear: number };
  riskId: string | null;
  riskTitle: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  snoozedUntil: string | null;
}

export const AlertsQuery = z.object({
  status: z.enum(['active', 'all']).default('active'),
  indicator: z.string().optional(),
  risk: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export interface AlertsReply {
  alerts: Alert[];
}

export const SnoozeBody = z.object({ until: z.string().datetime({ offset: true }) });

// ---------------------------------------------------------------- register

export const CATEGORIES = ['market', 'legal', 'credit', 'technical', 'operational'] as const;
export type Category = (typeof CATEGORIES)[number];

export const RESPONSES = ['avoid', 'reduce', 'transfer', 'accept'] as const;
export type Response = (typeof RESPONSES)[number];

export const RISK_STATUSES = ['identified', 'assessed', 'treating', 'monitoring', 'closed'] as const;
export type RiskStatus = (typeof RISK_STATUSES)[number];

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

const score15 = z.number().int().min(1).max(5);

/**
 * The scoring matrix: score[likelihood-1][impact-1], and the lowest score of each level.
 * Default: score = likelihood × impact; low 1–4, medium 5–9, high 10–15, critical 16–25.
 */
export const RiskMatrix = z.object({
  score: z.array(z.array(z.number().int().min(1).max(100)).length(5)).length(5),
  levels: z.object({ medium: z.number().int(), high: z.number().int(), critical: z.number().int() }),
  /** days to the next review by level (DESIGN.md: critical/high 90, medium 180, low 360) */
  reviewDays: z.object({ low: z.number().int().min(1), medium: z.number().int().min(1), high: z.number().int().min(1), critical: z.number().int().min(1) }),
});
export type RiskMatrix = z.infer<typeof RiskMatrix>;

export interface Assessment {
  likelihood: number;
  impact: number;
  score: number;
  level: RiskLevel;
}

export interface RiskSummary {
  id: string;
  title: string;
  category: Category;
  owner: string;
  status: RiskStatus;
  inherent: Assessment;
  residual: Assessment | null;
  response: Response | null;
  acceptance: { approver: string; expires: string; expired: boolean } | null;
  nextReview: string;
  reviewOverdue: boolean;
  reviewFlagged: boolean;
  reviewReason: string | null;
  openActions: number;
  overdueActions: number;
  /** worst live state over the linked indicators */
  indicatorState: IndicatorState | null;
  openAlerts: number;
  updatedAt: string;
}

export interface RiskAction {
  id: number;
  title: string;
  owner: string;
  due: string;
  status: ActionStatus;
  overdue: boolean;
  updatedAt: string;
}

export interface HistoryEntry {
  at: string;
  username: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
}

export interface TimelineEntry {
  id: number;
  at: string;
  kind: 'created' | 'alert' | 'review' | 'note';
  username: string | null;
  indicatorId: string | null;
  alertId: number | null;
  text: string;
}

export interface RiskDetail extends RiskSummary {
  description: string;
  createdAt: string;
  createdBy: string;
  actions: RiskAction[];
  history: HistoryEntry[];
  timeline: TimelineEntry[];
  indicators: IndicatorWithState[];
  /** whether the asking user may edit this risk */
  canEdit: boolean;
}

export const RiskInput = z.object({
  title: z.string().trim().min(1).max(300),
  description: z.string().max(5000).default(''),
  category: z.enum(CATEGORIES),
  owner: z.string().min(1).max(100),
  inherentLikelihood: score15,
  inherentImpact: score15,
  residualLikelihood: score15.nullable().default(null),
  residualImpact: score15.nullable().default(null),
  response: z.enum(RESPONSES).nullable().default(null),
  acceptanceApprover: z.string().max(100).nullable().default(null),
  acceptanceExpires: isoDate.nullable().default(null),
  status: z.enum(RISK_STATUSES).default('identified'),
});
export type RiskInput = z.infer<typeof RiskInput>;

/** Any subset of the fields; the status may only move along the workflow (or back one step). */
export const RiskPatch = z
  .object({
    title: z.string().trim().min(1).max(300),
    description: z.string().max(5000),
    category: z.enum(CATEGORIES),
    owner: z.string().min(1).max(100),
    inherentLikelihood: score15,
    inherentImpact: score15,
    residualLikelihood: score15.nullable(),
    residualImpact: score15.nullable(),
    response: z.enum(RESPONSES).nullable(),
    acceptanceApprover: z.string().max(100).nullable(),
    acceptanceExpires: isoDate.nullable(),
    status: z.enum(RISK_STATUSES),
    nextReview: isoDate,
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type RiskPatch = z.infer<typeof RiskPatch>;

export const ActionInput = z.object({
  title: z.string().trim().min(1).max(300),
  owner: z.string().min(1).max(100),
  due: isoDate,
  status: z.enum(ACTION_STATUSES).default('open'),
});
export const ActionPatch = ActionInput.partial().refine((p) => Object.keys(p).length > 0, 'nothing to change');

export const ReviewBody = z.object({ note: z.string().trim().min(1).max(2000) });
export const NoteBody = ReviewBody;

export const RisksQuery = z.object({
  category: z.enum(CATEGORIES).optional(),
  status: z.enum(RISK_STATUSES).optional(),
  level: z.enum(RISK_LEVELS).optional(),
  owner: z.string().optional(),
  /** 'L-I', e.g. '4-5': risks not closed whose position (inherent or residual, see `position`) is that cell */
  cell: z.string().regex(/^[1-5]-[1-5]$/, "expected 'likelihood-impact', e.g. 4-5").optional(),
  position: z.enum(['inherent', 'residual']).default('inherent'),
  flagged: z.enum(['true', 'false']).optional(),
  q: z.string().max(200).optional(),
});
export type RisksQuery = z.infer<typeof RisksQuery>;

export interface RisksReply {
  risks: RiskSummary[];
}

/** counts[likelihood-1][impact-1] of the risks not closed; residual counts use the residual position (inherent when no residual is set). */
export interface HeatmapReply {
  matrix: RiskMatrix;
  inherent: number[][];
  residual: number[][];
  total: number;
}

// ---------------------------------------------------------------- outbox

export const MESSAGE_KINDS = ['breach', 'escalation', 'recovery', 'renotify', 'test', 'digest', 'account'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export interface OutboxMessage {
  id: number;
  key: string;
  kind: MessageKind;
  recipients: string[];
  subject: string;
  indicatorId: string | null;
  alertId: number | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  transport: 'smtp' | 'file' | null;
  file: string | null;
}

export interface OutboxDetail extends OutboxMessage {
  text: string;
  html: string;
}

export interface OutboxReply {
  /** where messages go: an SMTP server (host only, no credentials) or data/outbox; the host and folder only for admins */
  transport: { kind: 'smtp'; host?: string } | { kind: 'file'; folder?: string };
  messages: OutboxMessage[];
}

export const OutboxQuery = z.object({
  status: z.enum(['pending', 'sent', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

// One evaluation run: every enabled indicator measured on one as-of step, each scope stepped
// through the state machine from its stored memory, the evaluation and the new state stored
// together, then the alert consequences. Runs never overlap, so two triggers cannot interleave
// the memory of one scope.
import type { DataPaths } from '../config.ts';
import type { AppDb } from '../db/appdb.ts';
import type { QueryEngine } from '../db/engine.ts';
import { addDays } from '../metrics/periods.ts';
import type { KpiEngine } from '../metrics/engine.ts';
import type { QueryRunner } from '../queries/runner.ts';
import type { SavedQueries } from '../queries/store.ts';
import { applyConsequences, writeAlertRow, type Tx } from './alerts.ts';
import {
  INDICATOR_STATES, type EvaluationRunReply, type Indicator, type IndicatorInput, type IndicatorSeriesReply, type IndicatorState, type Level, type Measurement, type StateMemory, type Transition,
  type TransitionKind,
} from './contract.ts';
import { insertEvaluations, storedStates, upsertStates, type IndicatorWrite, type ScopeWrite, type StoredState } from './evaluationStore.ts';
import { listIndicators } from './indicatorStore.ts';
import { measureSteps, type MeasureDeps, type MeasuredScopes } from './measure.ts';
import { replay } from './replay.ts';
import { ERROR_REASON, initialMemory, stepState } from './stateMachine.ts';

export type Trigger = EvaluationRunReply['trigger'];

export interface EvaluatorDeps {
  db: AppDb;
  kpis: KpiEngine;
  engine: QueryEngine;
  paths: DataPaths;
  outbox: { wake(): void };
  appUrl: string;
  now?: () => Date;
  /** days replayed before an indicator's first evaluation (default WARMUP_DAYS; 0 starts from a blank memory) */
  warmupDays?: number;
  /** run the saved queries of 'query' indicators */
  queries?: QueryRunner;
  savedQueries?: SavedQueries;
}

export interface RunOptions {
  trigger: Trigger;
  snapshotId?: string;
  /** the step evaluated (default: the snapshot's as-of day) */
  asOf?: string;
  indicatorIds?: string[];
}

/** The days of history an alert message shows. */
const RECENT_DAYS = 56;

/**
 * Days replayed before an indicator's first evaluation, so that an incident already under way
 * when the indicator starts watching (a new install, a new or re-scoped indicator) is an open
 * alert, not the quiet baseline a relative or hysteresis rule would otherwise take it for.
 */
const WARMUP_DAYS = 60;

type Scopes = MeasuredScopes['scopes'];
type Run = RunOptions & { snapshotId: string; asOf: string };

export class Evaluator {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: EvaluatorDeps) {}

  private measureDeps(): MeasureDeps {
    const { kpis, engine, now, queries, savedQueries } = this.deps;
    return { kpis, engine, snapshotsRoot: this.deps.paths.snapshots, now, queries, savedQueries };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Queued behind any run in progress. */
  run(opts: RunOptions): Promise<EvaluationRunReply> {
    const next = this.queue.then(() => this.runNow(opts));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves when no run is queued or in progress (before the database closes). */
  async idle(): Promise<void> {
    await this.queue;
  }

  private async runNow(opts: RunOptions): Promise<EvaluationRunReply> {
    const snapshot = (await this.deps.engine.snapshot(opts.snapshotId)).manifest;
    const asOf = opts.asOf ?? snapshot.asOf.slice(0, 10);
    const reply: EvaluationRunReply = {
      snapshotId: snapshot.id,
      asOf,
      trigger: opts.trigger,
      evaluated: 0,
      states: Object.fromEntries(INDICATOR_STATES.map((s) => [s, 0])) as Record<IndicatorState, number>,
      transitions: [],
      errors: [],
    };
    const indicators = (await listIndicators(this.deps.db, opts.indicatorIds ? { ids: opts.indicatorIds } : {})).filter((i) => i.enabled);
    for (const indicator of indicators) {
      const stored = await storedStates(this.deps.db, indicator.id);
      let scopes: Scopes;
      try {
        const from = stored.size ? asOf : addDays(asOf, -(this.deps.warmupDays ?? WARMUP_DAYS));
        scopes = (await measureSteps(this.measureDeps(), indicator, { snapshotId: snapshot.id, from, to: asOf })).scopes;
      } catch (err) {
        reply.errors.push({ indicatorId: indicator.id, message: messageOf(err) });
        scopes = failedScopes(stored, asOf, messageOf(err));
      }
      reply.evaluated++;
      try {
        await this.evaluateIndicator(indicator, scopes, stored, { ...opts, snapshotId: snapshot.id, asOf }, reply);
      } catch (err) {
        // e.g. the register refusing an entry: the other indicators still get their evaluation
        reply.errors.push({ indicatorId: indicator.id, message: messageOf(err) });
      }
    }
    return reply;
  }

  /** Every scope of one indicator stepped and stored in one transaction, then the consequences of its transitions. */
  private async evaluateIndicator(indicator: Indicator, scopes: Scopes, stored: Map<string, StoredState>, run: Run, reply: EvaluationRunReply): Promise<void> {
    const at = this.now().toISOString();
    const write: IndicatorWrite = {
      indicatorId: indicator.id, thresholds: { warning: indicator.warning, critical: indicator.critical, clear: indicator.clear },
      snapshotId: run.snapshotId, asOf: run.asOf, trigger: run.trigger, at,
    };
    const steps = await this.deps.db.transaction(async (tx) => {
      const stepped: SteppedScope[] = [];
      for (const scope of scopes) {
        const point = scope.points[scope.points.length - 1];
        if (point) stepped.push(await stepScope(tx, { indicator, scope, point, stored: stored.get(scope.scope), run, at }));
      }
      const ids = await insertEvaluations(tx, write, stepped);
      await upsertStates(tx, write, stepped);
      return stepped.map((s) => ({ ...s, transition: transitionOf(indicator, s, run, ids.get(s.scope)!, at) }));
    });
    let recent: Promise<IndicatorSeriesReply> | undefined;
    const deps = {
      db: this.deps.db,
      outbox: this.deps.outbox,
      appUrl: this.deps.appUrl,
      recent: async (i: Indicator, scope: string) => {
        recent ??= this.series(i, { days: RECENT_DAYS, snapshotId: run.snapshotId, to: run.asOf, maxScopes: Number.MAX_SAFE_INTEGER });
        return (await recent).series.find((s) => s.scope === scope)?.points ?? [];
      },
    };
    for (const step of steps) {
      reply.states[step.state]++;
      if (step.state === 'error' && !reply.errors.some((e) => e.indicatorId === indicator.id)) reply.errors.push({ indicatorId: indicator.id, message: step.m.reason ?? 'error' });
      if (!step.transition) continue;
      reply.transitions.push(step.transition);
      await applyConsequences(deps, indicator, step.transition, step.snoozed);
    }
  }

  /** The last `days` as-of days up to `to` (default: the snapshot's as-of) replayed through the state machine. */
  async series(indicator: IndicatorInput, opts: { days: number; snapshotId?: string; to?: string; maxScopes?: number }): Promise<IndicatorSeriesReply> {
    const to = opts.to ?? (await this.deps.engine.snapshot(opts.snapshotId)).manifest.asOf.slice(0, 10);
    const measured = await measureSteps(this.measureDeps(), indicator, { snapshotId: opts.snapshotId, from: addDays(to, 1 - opts.days), to });
    return replay(indicator, measured, { maxScopes: opts.maxScopes });
  }
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** When measuring failed, every known scope (or the whole one) records the error on this step. */
function failedScopes(stored: Map<string, StoredState>, asOf: string, message: string): Scopes {
  const m: Measurement = { value: null, reason: `${ERROR_REASON}${message}` };
  const known = [...stored.values()].map((s) => ({ scope: s.scope, scopeLabel: s.scopeLabel }));
  return (known.length ? known : [{ scope: '', scopeLabel: 'all' }]).map((s) => ({ ...s, points: [{ step: asOf, date: asOf, m }] }));
}

interface StepInput {
  indicator: Indicator;
  scope: Scopes[number];
  point: Scopes[number]['points'][number];
  stored: StoredState | undefined;
  run: Run;
  at: string;
}

interface SteppedScope extends ScopeWrite {
  snoozed: boolean;
  /** the transition's kind when it happened now rather than in an earlier run of the same step */
  fresh: TransitionKind | null;
  level: Level;
  /** the alert the transition is about */
  alertId: number | null;
}

/** The memory a scope without stored state starts from: its earlier points replayed silently. */
function warmMemory(indicator: Indicator, points: Scopes[number]['points']): StateMemory {
  return points.reduce((memory, p) => stepState(memory, p.m, indicator, { now: `${p.date}T23:59:59.999Z`, snoozed: true }).memory, initialMemory());
}

/** One scope through the state machine, and the alert row that opens, moves or closes with it. */
async function stepScope(tx: Tx, { indicator, scope, point, stored, run, at }: StepInput): Promise<SteppedScope> {
  // a re-run of the same step starts from the memory before it, so it never counts twice
  const memoryBefore = (stored?.step === point.step ? stored.memoryBefore : stored?.memory) ?? warmMemory(indicator, scope.points.slice(0, -1));
  const snoozed = [indicator.snoozedUntil, stored?.snoozedUntil].some((until) => typeof until === 'string' && until > at);
  const result = stepState(memoryBefore, point.m, indicator, { now: at, snoozed });
  // an alert level in force with no alert row yet (found by the warm-up) opens its alert on this step
  if (memoryBefore.level !== 'ok' && memoryBefore.alertId === null && (result.state === 'warning' || result.state === 'critical')) {
    result.transition = 'breach';
    if (!snoozed) result.memory.lastNotifiedAt = at;
  }
  const alert = await writeAlertRow(tx, {
    indicator, scope: scope.scope, scopeLabel: scope.scopeLabel, asOf: run.asOf, measurement: point.m, state: result.state,
    transition: result.transition, memoryBefore, notified: result.transition !== null && !snoozed, at,
  });
  return {
    scope: scope.scope, scopeLabel: scope.scopeLabel, step: point.step, m: point.m, state: result.state, previous: stored?.state ?? null,
    memory: { ...result.memory, alertId: alert.alertId }, memoryBefore, snoozed, level: result.level,
    fresh: alert.fresh ? result.transition : null, alertId: alert.alertId ?? memoryBefore.alertId,
  };
}

function transitionOf(indicator: Indicator, s: SteppedScope, run: Run, evaluationId: number, at: string): Transition | null {
  if (!s.fresh || s.alertId === null) return null;
  return {
    kind: s.fresh, indicatorId: indicator.id, scope: s.scope, scopeLabel: s.scopeLabel, from: s.previous ?? 'ok', to: s.state,
    level: s.level, step: s.step, asOf: run.asOf, snapshotId: run.snapshotId, measurement: s.m,
    thresholds: { warning: indicator.warning, critical: indicator.critical, clear: indicator.clear }, alertId: s.alertId, evaluationId, at,
  };
}

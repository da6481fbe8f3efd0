// Measures an indicator on every step (as-of day) of a range, per scope, as README.md describes.
// KPIs whose numerator and denominator add up over days come from ONE daily series and running
// window sums, so a 90-day preview, a backtest and a live evaluation are the same computation;
// the others (distinct buyers, quantiles, ratios of non-rates) are asked of the KPI engine once per step.
import type { QueryEngine } from '../db/engine.ts';
import { isRate, kpiById, kpiMeasures, type KpiDefinition } from '../metrics/catalog.ts';
import type { BreakdownDimension, KpiQuery, KpiResult, KpiValue, Period } from '../metrics/contract.ts';
import type { KpiEngine } from '../metrics/engine.ts';
import { addDays, comparisonPeriod, dayCount } from '../metrics/periods.ts';
import { measureRelation } from '../metrics/relations.ts';
import type { User } from '../auth/users.ts';
import type { RunReply, SavedQuery } from '../queries/contract.ts';
import type { QueryRunner } from '../queries/runner.ts';
import { savedRunBody } from '../queries/savedRun.ts';
import type { SavedQueries } from '../queries/store.ts';
import type { QualityReport } from '../snapshots/quality.ts';
import { QUALITY, listSnapshots, readSnapshotFile } from '../snapshots/store.ts';
import type { IndicatorInput, IndicatorWithState, Measurement } from './contract.ts';
import { ERROR_REASON } from './stateMachine.ts';

export interface MeasureDeps {
  kpis: KpiEngine;
  engine: QueryEngine;
  snapshotsRoot: string;
  now?: () => Date;
  /** runs the saved query of a 'query' indicator (absent where no such indicator is measured) */
  queries?: QueryRunner;
  /** finds that saved query */
  savedQueries?: SavedQueries;
}

export interface MeasuredPoint {
  step: string;
  date: string;
  m: Measurement;
}

export interface MeasuredScopes {
  snapshot: { id: string; asOf: string };
  unit: IndicatorWithState['unit'];
  scopes: { scope: string; scopeLabel: string; points: MeasuredPoint[] }[];
}

type Unit = IndicatorWithState['unit'];
type Indicator = Pick<IndicatorInput, 'source' | 'kpi' | 'queryId' | 'filters' | 'splitBy' | 'windowDays' | 'compare'>;
type Range = { snapshotId?: string; from: string; to: string };

/** The scope of an unsplit indicator. */
const WHOLE_SCOPE = '';
const WHOLE_LABEL = 'all';

function kpiOf(indicator: Indicator): KpiDefinition {
  const kpi = indicator.kpi ? kpiById(indicator.kpi) : undefined;
  if (!kpi) throw new Error(`unknown KPI '${indicator.kpi ?? ''}'`);
  return kpi;
}

/** The unit values and thresholds are in: a change is a fraction shown as percent. */
export function unitOf(indicator: Indicator): Unit {
  if (indicator.source === 'freshness') return 'hours';
  if (indicator.source === 'ingest_rejection') return 'percent';
  if (indicator.source === 'query') return 'count';
  if (indicator.compare !== 'none') return 'percent';
  return kpiOf(indicator).unit;
}

/**
 * Whether a KPI can be summed over days: every measure adds up per row (`sum`, or `entity` —
 * a fact lies on one day), and a ratio exposes its numerator and denominator (rates do).
 * Distinct customers and quantiles do not add up; neither does a money-per-order average.
 */
function additive(kpi: KpiDefinition): boolean {
  const { den } = kpi.formula;
  const simpleMeasures = kpiMeasures(kpi).every((m) => ['sum', 'entity'].includes(measureRelation(m, false).measures[m].kind));
  return simpleMeasures && (den === undefined || isRate(kpi));
}

const windowOf = (day: string, days: number): Period => ({ from: addDays(day, 1 - days), to: day });

function stepDays(range: Range): string[] {
  return Array.from({ length: dayCount(range) }, (_, i) => addDays(range.from, i));
}

/** The relative change against a base; the sample is the base's denominator (or the base value of a count). */
function change(current: KpiValue, base: KpiValue | undefined): Measurement {
  if (current.value === null) return { value: null, reason: current.reason ?? 'no data in this period' };
  if (!base || base.value === null || base.value === 0) return { value: null, reason: 'no value in the comparison period to compare with' };
  return { value: (current.value - base.value) / base.value, denominator: base.denominator ?? base.value };
}

function plain(v: KpiValue): Measurement {
  const parts = v.denominator === undefined ? {} : { numerator: v.numerator, denominator: v.denominator };
  return v.value === null ? { value: null, reason: v.reason ?? 'no data in this period', ...parts } : { value: v.value, ...parts };
}

function measurementOf(indicator: Indicator, r: KpiResult): Measurement {
  return indicator.compare === 'none' ? plain(r) : change(r, r[indicator.compare]);
}

/**
 * Running sums of one scope's daily numerator and denominator, for any window in O(1). `dayIndex`
 * numbers the days of the series (shared by every scope); every window asked lies inside it.
 */
class Prefix {
  private readonly num = [0];
  private readonly den = [0];

  constructor(private readonly dayIndex: ReadonlyMap<string, number>, daily: { num: number; den: number }[]) {
    for (const d of daily) {
      this.num.push(this.num[this.num.length - 1] + d.num);
      this.den.push(this.den[this.den.length - 1] + d.den);
    }
  }

  sum(p: Period): { num: number; den: number } {
    const a = this.dayIndex.get(p.from);
    const b = this.dayIndex.get(p.to);
    if (a === undefined || b === undefined) throw new Error(`window ${p.from}…${p.to} outside the measured series`);
    return { num: this.num[b + 1] - this.num[a], den: this.den[b + 1] - this.den[a] };
  }
}

/** A window's KPI value from its sums, as the engine's formula would give it. */
function windowValue(kpi: KpiDefinition, s: { num: number; den: number }): KpiValue {
  if (kpi.formula.den === undefined) return { value: s.num };
  if (!s.den) return { value: null, numerator: s.num, denominator: s.den, reason: kpi.formula.empty };
  return { value: s.num / s.den, numerator: s.num, denominator: s.den };
}

function kpiQuery(indicator: Indicator, kpi: KpiDefinition, snapshot: string, p: Period): KpiQuery {
  return {
    snapshot, kpis: [kpi.id], from: p.from, to: p.to,
    ...indicator.filters,
    compare: indicator.compare === 'none' ? undefined : [indicator.compare],
  };
}

/** Display names of a split's keys: the breakdown's labels over the whole range. */
async function scopeLabels(deps: MeasureDeps, indicator: Indicator, kpi: KpiDefinition, snapshot: string, p: Period, by: BreakdownDimension): Promise<Map<string, string>> {
  const reply = await deps.kpis.breakdown({ ...kpiQuery({ ...indicator, compare: 'none' }, kpi, snapshot, p), by, limit: 1000 });
  return new Map(reply.rows.map((r) => [r.key, r.label]));
}

/** The earliest day any step's window (and its comparison window) reaches back to. */
function earliestDay(indicator: Indicator, from: string): string {
  const first = windowOf(from, indicator.windowDays);
  return indicator.compare === 'none' ? first.from : comparisonPeriod(first, indicator.compare).from;
}

async function measureAdditive(deps: MeasureDeps, indicator: Indicator, kpi: KpiDefinition, snapshot: string, range: Range): Promise<MeasuredScopes['scopes']> {
  const seriesRange = { from: earliestDay(indicator, range.from), to: range.to };
  const reply = await deps.kpis.series({ ...kpiQuery({ ...indicator, compare: 'none' }, kpi, snapshot, seriesRange), grain: 'day', by: indicator.splitBy ?? undefined });
  const daily = new Map<string, { num: number; den: number }[]>();
  for (const point of reply.points) {
    const v = point.kpis[kpi.id];
    const key = point.key ?? WHOLE_SCOPE;
    const list = daily.get(key) ?? [];
    // a count's value is its numerator; a day without a rate's denominator adds zeros
    list.push(kpi.formula.den === undefined ? { num: v.value ?? 0, den: 0 } : { num: v.numerator ?? 0, den: v.denominator ?? 0 });
    daily.set(key, list);
  }
  const by = indicator.splitBy;
  const labels = by ? await scopeLabels(deps, indicator, kpi, snapshot, seriesRange, by) : new Map([[WHOLE_SCOPE, WHOLE_LABEL]]);
  const days = stepDays(range);
  const dayIndex = new Map(stepDays(seriesRange).map((day, i) => [day, i]));
  return [...daily.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([scope, list]) => {
    const sums = new Prefix(dayIndex, list);
    const points = days.map((day) => {
      const window = windowOf(day, indicator.windowDays);
      const current = windowValue(kpi, sums.sum(window));
      const result: KpiResult = indicator.compare === 'none' ? current : { ...current, [indicator.compare]: windowValue(kpi, sums.sum(comparisonPeriod(window, indicator.compare))) };
      return { step: day, date: day, m: measurementOf(indicator, result) };
    });
    return { scope, scopeLabel: labels.get(scope) ?? scope, points };
  });
}

/** One engine call per step: the KPI over that step's window (per key when split). */
async function measurePerStep(deps: MeasureDeps, indicator: Indicator, kpi: KpiDefinition, snapshot: string, range: Range): Promise<MeasuredScopes['scopes']> {
  const days = stepDays(range);
  const by = indicator.splitBy;
  const perDay = await Promise.all(days.map(async (day) => {
    const q = kpiQuery(indicator, kpi, snapshot, windowOf(day, indicator.windowDays));
    if (!by) return [{ key: WHOLE_SCOPE, label: WHOLE_LABEL, result: (await deps.kpis.kpis(q)).kpis[kpi.id] }];
    return (await deps.kpis.breakdown({ ...q, by, limit: 1000 })).rows.map((r) => ({ key: r.key, label: r.label, result: r.kpis[kpi.id] }));
  }));
  const labels = new Map(perDay.flat().map((r) => [r.key, r.label]));
  if (!by) labels.set(WHOLE_SCOPE, WHOLE_LABEL);
  return [...labels.keys()].sort().map((scope) => ({
    scope,
    scopeLabel: labels.get(scope)!,
    points: days.map((day, i) => {
      const row = perDay[i].find((r) => r.key === scope);
      return { step: day, date: day, m: row ? measurementOf(indicator, row.result) : { value: null, reason: 'no data in this window' } };
    }),
  }));
}

/** Hours since the newest snapshot was created; the step is the current hour (UTC). */
async function measureFreshness(deps: MeasureDeps): Promise<MeasuredScopes['scopes'][number]['points']> {
  const now = (deps.now ?? (() => new Date()))();
  const [newest] = await listSnapshots(deps.snapshotsRoot);
  const m: Measurement = newest
    ? { value: (now.getTime() - Date.parse(newest.createdAt)) / 3_600_000 }
    : { value: null, reason: 'no snapshot has been published yet' };
  const iso = now.toISOString();
  return [{ step: `${iso.slice(0, 13)}:00Z`, date: iso.slice(0, 10), m }];
}

/** Rejected ÷ read rows over the tables of the snapshot's quality report. */
async function measureRejection(deps: MeasureDeps, snapshot: { id: string; asOf: string }): Promise<MeasuredScopes['scopes'][number]['points']> {
  const report = await readSnapshotFile<QualityReport>(deps.snapshotsRoot, snapshot.id, QUALITY);
  const read = report.tables.reduce((a, t) => a + t.read, 0);
  const rejected = report.tables.reduce((a, t) => a + t.rejected, 0);
  const m: Measurement = read ? { value: rejected / read, numerator: rejected, denominator: read } : { value: null, reason: 'the snapshot read no rows' };
  return [{ step: snapshot.asOf, date: snapshot.asOf, m }];
}

/** Sandboxes one query indicator's measurement opens at once. */
const CONCURRENT_QUERY_RUNS = 4;

/** What a query indicator's result must look like. */
export const QUERY_SHAPE = "one row with a 'value' column, or 'numerator' and 'denominator' columns";

/** A result cell as a number; BIGINTs beyond 2^53 arrive as strings. */
function numberOf(cell: RunReply['rows'][number][number]): number | null {
  if (cell === null || typeof cell === 'boolean') return null;
  const n = Number(cell);
  return Number.isFinite(n) ? n : null;
}

/** One step's measurement from the query's result. */
export function queryMeasurement(reply: Pick<RunReply, 'columns' | 'rows' | 'truncated'>): Measurement {
  const names = reply.columns.map((c) => c.name);
  const cell = (name: string) => numberOf(reply.rows[0][names.indexOf(name)]);
  if (reply.rows.length !== 1) {
    const got = reply.truncated ? 'more than one row' : `${reply.rows.length} rows`;
    return { value: null, reason: `${ERROR_REASON}the query returned ${got}; expected ${QUERY_SHAPE}` };
  }
  if (names.includes('value')) {
    const value = cell('value');
    return value === null ? { value: null, reason: 'the query returned no value for this window' } : { value };
  }
  if (!names.includes('numerator') || !names.includes('denominator')) {
    return { value: null, reason: `${ERROR_REASON}the query returned the columns ${names.join(', ') || '(none)'}; expected ${QUERY_SHAPE}` };
  }
  const numerator = cell('numerator');
  const denominator = cell('denominator');
  if (numerator === null || denominator === null) return { value: null, reason: 'the query returned no numerator or denominator for this window' };
  if (denominator === 0) return { value: null, numerator, denominator, reason: 'the denominator is 0 in this window' };
  return { value: numerator / denominator, numerator, denominator };
}

/**
 * The saved query of a 'query' indicator as its owner sees it, taken as an analyst without
 * personal data: a query shared with everyone or the owner's own. SavedQueryNotFound /
 * SavedQueryForbidden otherwise.
 */
export async function indicatorQuery(saved: SavedQueries, indicator: Pick<IndicatorInput, 'owner' | 'queryId'>): Promise<{ owner: User; query: SavedQuery }> {
  const owner: User = { username: indicator.owner, displayName: indicator.owner, role: 'analyst', pii: false };
  return { owner, query: await saved.get(indicator.queryId ?? '', owner) };
}

/**
 * A saved query run once per step, as the indicator's owner without personal data, with its
 * declared date parameters `$from` and `$to` bound to the step's window (README.md of
 * server/queries). The owner is taken as an analyst, so the query must be shared with everyone
 * or be the owner's own. A failed run is that step's error.
 */
async function measureQuery(deps: MeasureDeps, indicator: IndicatorInput, snapshot: string, range: Range): Promise<MeasuredPoint[]> {
  if (!deps.queries || !deps.savedQueries) throw new Error('measuring a query indicator needs the query runner and the saved queries');
  const { owner, query } = await indicatorQuery(deps.savedQueries, indicator);
  const bound = ['from', 'to'].filter((name) => query.params.some((p) => p.name === name && p.type === 'date'));
  const runner = deps.queries;
  const measureDay = async (day: string): Promise<MeasuredPoint> => {
    const window = windowOf(day, indicator.windowDays);
    const values = Object.fromEntries(bound.map((name) => [name, name === 'from' ? window.from : window.to]));
    try {
      const reply = await runner.run(savedRunBody(query, { values, snapshot, limit: 2 }), owner, { record: false });
      return { step: day, date: day, m: queryMeasurement(reply) };
    } catch (err) {
      return { step: day, date: day, m: { value: null, reason: `${ERROR_REASON}${err instanceof Error ? err.message : String(err)}` } };
    }
  };
  const days = stepDays(range);
  const points: MeasuredPoint[] = [];
  // a few runs at a time: each opens a sandbox of its own, and a preview or warm-up has 60–90 steps
  for (let i = 0; i < days.length; i += CONCURRENT_QUERY_RUNS) points.push(...(await Promise.all(days.slice(i, i + CONCURRENT_QUERY_RUNS).map(measureDay))));
  return points;
}

/** The indicator measured on every as-of day of `range` (one point for the technical sources). */
export async function measureSteps(deps: MeasureDeps, indicator: IndicatorInput, range: Range): Promise<MeasuredScopes> {
  const open = await deps.engine.snapshot(range.snapshotId);
  const snapshot = { id: open.manifest.id, asOf: open.manifest.asOf.slice(0, 10) };
  const unit = unitOf(indicator);
  const whole = (points: MeasuredPoint[]) => ({ snapshot, unit, scopes: [{ scope: WHOLE_SCOPE, scopeLabel: WHOLE_LABEL, points }] });
  switch (indicator.source) {
    case 'freshness':
      return whole(await measureFreshness(deps));
    case 'ingest_rejection':
      return whole(await measureRejection(deps, snapshot));
    case 'query':
      return whole(await measureQuery(deps, indicator, snapshot.id, range));
    case 'kpi': {
      const kpi = kpiOf(indicator);
      const measure = additive(kpi) ? measureAdditive : measurePerStep;
      return { snapshot, unit, scopes: await measure(deps, indicator, kpi, snapshot.id, range) };
    }
  }
}

// The emails Vigil sends: an alert transition (breach, escalation, renotify, recovery), the
// "send test email" of an indicator, and the daily digest of open alerts.
import type { Alert, Indicator, IndicatorPoint, IndicatorState, Transition } from '../risk/contract.ts';
import { formatSample, formatUnitValue, type IndicatorUnit } from './format.ts';
import { renderMessage, type Fact, type MessageDoc, type RenderedMessage, type TableRow } from './layout.ts';

export type { RenderedMessage };

export interface AlertMessageInput {
  transition: Transition;
  indicator: Indicator;
  unit: IndicatorUnit;
  /** the scope's recent daily points, oldest first */
  recent: IndicatorPoint[];
  risk: { id: string; title: string } | null;
  appUrl: string;
}

const WEEKS_SHOWN = 8;

const STATE_COLORS: Partial<Record<IndicatorState, string>> = { ok: '#2e7d32', pending: '#f9a825', warning: '#ef6c00', critical: '#c62828', recovering: '#1565c0' };

const base = (appUrl: string) => appUrl.replace(/\/+$/, '');
export const alertLink = (appUrl: string, alertId: number) => `${base(appUrl)}/risk?alert=${alertId}`;
export const indicatorLink = (appUrl: string, indicatorId: string) => `${base(appUrl)}/risk/indicators/${encodeURIComponent(indicatorId)}`;
export const riskLink = (appUrl: string, riskId: string) => `${base(appUrl)}/risk/${encodeURIComponent(riskId)}`;

const named = (indicatorName: string, scopeLabel: string) => (scopeLabel ? `${indicatorName} — ${scopeLabel}` : indicatorName);

/** The threshold a transition is about: the one crossed, or the clear line for a recovery. */
function thresholdOf(t: Transition): { name: string; value: number } {
  if (t.kind === 'recovery') return { name: 'clear', value: t.thresholds.clear };
  return t.level === 'critical' ? { name: 'critical', value: t.thresholds.critical } : { name: 'warning', value: t.thresholds.warning };
}

function subjectOf(t: Transition, indicator: Indicator, unit: IndicatorUnit): string {
  const tag = t.kind === 'recovery' ? 'RECOVERED' : t.level.toUpperCase();
  const threshold = thresholdOf(t);
  const value = formatUnitValue(unit, t.measurement.value);
  const reminder = t.kind === 'renotify' ? ' (still open)' : '';
  return `[Vigil ${tag}] ${named(indicator.name, t.scopeLabel)}: ${value} (${threshold.name === 'clear' ? 'clear' : 'threshold'} ${formatUnitValue(unit, threshold.value)})${reminder}`;
}

function leadOf(t: Transition, indicator: Indicator): string {
  const what = named(indicator.name, t.scopeLabel);
  switch (t.kind) {
    case 'breach':
      return `${what} crossed its ${t.level} threshold; an alert is open.`;
    case 'escalation':
      return `${what} worsened from warning to critical.`;
    case 'renotify':
      return `${what} is still at ${t.level} level; the alert is open.`;
    case 'recovery':
      return `${what} is back past its clear threshold; the alert is closed.`;
  }
}

function thresholdFacts(indicator: Pick<Indicator, 'warning' | 'critical' | 'clear' | 'direction'>, unit: IndicatorUnit): Fact[] {
  return [
    { label: 'Thresholds', value: `warning ${formatUnitValue(unit, indicator.warning)}, critical ${formatUnitValue(unit, indicator.critical)}, clear ${formatUnitValue(unit, indicator.clear)}` },
    { label: 'Direction', value: indicator.direction === 'higher_is_worse' ? 'higher is worse' : 'lower is worse' },
  ];
}

function riskFact(risk: { id: string; title: string } | null, appUrl: string): Fact {
  return risk ? { label: 'Risk', value: `${risk.id} ${risk.title}`, href: riskLink(appUrl, risk.id) } : { label: 'Risk', value: 'not linked' };
}

/** The newest point of each of the last weeks, oldest first: a table fits an email better than 90 days. */
function weeklyPoints(recent: IndicatorPoint[]): IndicatorPoint[] {
  const picked: IndicatorPoint[] = [];
  for (let i = recent.length - 1; i >= 0 && picked.length < WEEKS_SHOWN; i -= 7) picked.unshift(recent[i]);
  return picked;
}

function weeklyTable(recent: IndicatorPoint[], unit: IndicatorUnit, scale: number[]): MessageDoc['table'] {
  const weeks = weeklyPoints(recent);
  if (!weeks.length) return undefined;
  const top = Math.max(...scale.map(Math.abs), ...weeks.map((p) => Math.abs(p.value ?? 0)));
  const rows: TableRow[] = weeks.map((p) => ({
    cells: [p.date, formatUnitValue(unit, p.value), formatSample(p.numerator, p.denominator), p.state.replaceAll('_', ' ')],
    bar: p.value === null || top === 0 ? undefined : { fraction: Math.abs(p.value) / top, color: STATE_COLORS[p.state] ?? '#9e9e9e' },
  }));
  return { caption: `Last ${weeks.length} weeks`, columns: ['Week ending', 'Value', 'Sample', 'State'], rows };
}

export function alertMessage(input: AlertMessageInput): RenderedMessage {
  const { transition: t, indicator, unit, appUrl } = input;
  const sample = formatSample(t.measurement.numerator, t.measurement.denominator);
  const facts: Fact[] = [
    { label: 'Value', value: formatUnitValue(unit, t.measurement.value) },
    ...(sample ? [{ label: 'Sample', value: sample }] : []),
    { label: 'Window', value: `${indicator.windowDays} days ending ${t.asOf ?? t.step}` },
    ...thresholdFacts(indicator, unit),
    { label: 'State', value: `${t.from.replaceAll('_', ' ')} → ${t.to.replaceAll('_', ' ')}` },
    riskFact(input.risk, appUrl),
    { label: 'Indicator', value: indicator.name, href: indicatorLink(appUrl, indicator.id) },
  ];
  return renderMessage({
    subject: subjectOf(t, indicator, unit),
    lead: leadOf(t, indicator),
    facts,
    table: weeklyTable(input.recent, unit, [t.thresholds.warning, t.thresholds.critical]),
    link: { label: 'Open the alert in Vigil', href: alertLink(appUrl, t.alertId) },
  });
}

export function testMessage(indicator: Indicator, unit: IndicatorUnit, appUrl: string): RenderedMessage {
  return renderMessage({
    subject: `[Vigil TEST] ${indicator.name}`,
    lead: `This is a test email for the indicator ${indicator.name}. Alerts of this indicator reach this address.`,
    facts: [...thresholdFacts(indicator, unit), { label: 'Owner', value: indicator.owner }],
    link: { label: 'Open the indicator in Vigil', href: indicatorLink(appUrl, indicator.id) },
  });
}

export function digestMessage(alerts: Alert[], appUrl: string): RenderedMessage {
  const critical = alerts.filter((a) => a.level === 'critical').length;
  const rows: TableRow[] = alerts.map((a) => ({
    cells: [a.level, named(a.indicatorName, a.scopeLabel), formatUnitValue(a.unit, a.value), formatSample(a.numerator, a.denominator), a.openedAt.slice(0, 10), a.riskId ? `${a.riskId} ${a.riskTitle ?? ''}`.trim() : ''],
  }));
  return renderMessage({
    subject: `[Vigil DIGEST] ${alerts.length} open alert${alerts.length === 1 ? '' : 's'} (${critical} critical)`,
    lead: alerts.length ? `${alerts.length} alert${alerts.length === 1 ? ' is' : 's are'} open.` : 'No alert is open.',
    facts: [{ label: 'Critical', value: String(critical) }, { label: 'Warning', value: String(alerts.length - critical) }],
    table: alerts.length ? { caption: 'Open alerts', columns: ['Level', 'Indicator', 'Value', 'Sample', 'Opened', 'Risk'], rows } : undefined,
    link: { label: 'Open the alerts in Vigil', href: `${base(appUrl)}/risk` },
  });
}

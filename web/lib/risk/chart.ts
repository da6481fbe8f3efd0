// The indicator history chart: the value per scope over the replayed days, the warning /
// critical / clear thresholds as horizontal lines, and the days an alert fired as markers.
import { GRID_LINE, TEXT_MUTED, baseOption, colorAt, dot, esc, type ChartOption } from '$lib/charts/echarts';
import { t } from '$lib/i18n.svelte';
import { formatPeriod } from '$lib/kpi/format';
import { THRESHOLD_COLOR, compactIndicator, formatIndicator } from './format';
import type { IndicatorSeriesReply } from './types';

const AXIS_LABEL = { color: TEXT_MUTED, fontSize: 11 };

export function scopeName(scope: string, scopeLabel: string): string {
  return scope === '' ? t('risk.scope.all') : scopeLabel || scope;
}

function hasValues(reply: IndicatorSeriesReply): boolean {
  return reply.series.some((s) => s.points.some((p) => p.value !== null));
}

export function indicatorSeriesOption(reply: IndicatorSeriesReply, opts: { relative: boolean; narrow: boolean }): ChartOption | null {
  const { relative, narrow } = opts;
  // axes and thresholds without a single line read as a broken chart: the card says why instead
  if (!hasValues(reply)) return null;
  const dates = [...new Set(reply.series.flatMap((s) => s.points.map((p) => p.date)))].sort();
  const index = new Map(dates.map((d, i) => [d, i]));
  const fmt = (v: number | null) => formatIndicator(v, reply.unit, relative);
  const { warning, critical, clear } = reply.thresholds;

  const lines = reply.series.map((s, k) => {
    const values: (number | null)[] = dates.map(() => null);
    for (const p of s.points) values[index.get(p.date)!] = p.value;
    return { id: s.scope || '_all', name: scopeName(s.scope, s.scopeLabel), color: colorAt(k), values };
  });
  const fired = reply.transitions.filter((x) => x.kind === 'breach' || x.kind === 'escalation');
  // warning and critical are often close: their labels sit at different ends of the line
  const marker = (level: 'warning' | 'critical', value: number) => ({
    yAxis: value,
    name: t(`risk.threshold.${level}`),
    lineStyle: { color: THRESHOLD_COLOR[level], type: 'dashed' as const, width: 1.5 },
    label: { formatter: `${t(`risk.threshold.${level}`)} ${fmt(value)}`, color: THRESHOLD_COLOR[level], position: level === 'critical' ? ('insideEndTop' as const) : ('insideMiddleTop' as const), fontSize: 11 },
  });
  const bounds = [warning, critical, clear];

  return {
    ...baseOption(),
    grid: { left: 4, right: 12, top: 24, bottom: lines.length > 1 ? 36 : 4, containLabel: true },
    legend: lines.length > 1 ? { type: 'scroll', bottom: 0, textStyle: { fontSize: 11, color: TEXT_MUTED }, data: lines.map((l) => l.name) } : undefined,
    tooltip: {
      ...baseOption().tooltip,
      trigger: 'axis',
      formatter: (raw: unknown) => {
        const items = (Array.isArray(raw) ? raw : [raw]) as { dataIndex: number; color: string; seriesName: string; seriesId: string; value: number | null }[];
        const i = items[0]?.dataIndex;
        if (i === undefined) return '';
        const rows = items
          .filter((it) => !it.seriesId.startsWith('_') && it.value !== null && it.value !== undefined)
          .map((it) => `<div>${dot(it.color)}${esc(it.seriesName)}: <b>${esc(fmt(it.value))}</b></div>`)
          .join('');
        const events = fired.filter((x) => x.date === dates[i]).map((x) => `<div style="color:#b42318">${esc(`${scopeName(x.scope, x.scopeLabel)}: ${t(`risk.transition.${x.kind!}`)} → ${t(`risk.state.${x.to}`)}`)}</div>`);
        return `<div style="font-weight:600;margin-bottom:2px">${esc(formatPeriod(dates[i], 'day'))}</div>${rows}${events.join('')}`;
      },
    },
    xAxis: {
      type: 'category',
      data: dates,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: GRID_LINE } },
      axisLabel: { ...AXIS_LABEL, hideOverlap: true, formatter: (d: string) => formatPeriod(d, 'day', true) },
    },
    yAxis: {
      type: 'value',
      splitNumber: narrow ? 3 : 5,
      splitLine: { lineStyle: { color: GRID_LINE } },
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => compactIndicator(v, reply.unit, relative) },
    },
    series: [
      ...lines.map((l, k) => ({
        type: 'line' as const,
        id: l.id,
        name: l.name,
        data: l.values,
        showSymbol: false,
        connectNulls: false,
        lineStyle: { width: 2, color: l.color },
        itemStyle: { color: l.color },
        markLine:
          k === 0
            ? {
                silent: true,
                symbol: 'none',
                data: [
                  marker('warning', warning),
                  marker('critical', critical),
                  {
                    yAxis: clear,
                    name: t('risk.threshold.clear'),
                    lineStyle: { color: THRESHOLD_COLOR.clear, type: 'dotted' as const, width: 1.2 },
                    label: { formatter: `${t('risk.threshold.clear')} ${fmt(clear)}`, color: THRESHOLD_COLOR.clear, position: 'insideStartTop' as const, fontSize: 11 },
                  },
                ],
              }
            : undefined,
      })),
      // invisible: puts the thresholds inside the axis' automatic (round) range
      {
        type: 'line' as const,
        id: '_bounds',
        data: [[0, Math.min(...bounds, 0)], [0, Math.max(...bounds)]],
        symbol: 'none',
        lineStyle: { opacity: 0 },
        silent: true,
        tooltip: { show: false },
      },
      {
        type: 'line' as const,
        id: '_fired',
        name: t('risk.chart.fired'),
        data: fired.map((x) => [index.get(x.date) ?? 0, x.value]),
        symbol: 'triangle',
        symbolSize: 11,
        showSymbol: true,
        // 'auto' would drop markers on a crowded axis
        showAllSymbol: true,
        lineStyle: { opacity: 0 },
        itemStyle: { color: THRESHOLD_COLOR.critical },
        z: 5,
      },
    ],
  };
}

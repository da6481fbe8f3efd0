// Option builders for the chart types the dashboards use. Pages hand over plain data (already
// translated labels, values in the KPI's unit); these decide the look, so every chart of a
// kind looks the same.

import { fmtNumber } from '$lib/i18n.svelte';
import { formatCompact, formatValue } from '$lib/kpi/format';
import type { Unit } from '$lib/kpi/types';
import { ACCENT, GRID_LINE, TEXT_MUTED, baseOption, colorAt, dot, esc, type ChartOption } from './echarts';

const AXIS_LABEL = { color: TEXT_MUTED, fontSize: 11 };

/** A tiny line without axes, for KPI tiles. */
export function sparklineOption(values: (number | null)[], color = ACCENT): ChartOption {
  return {
    animation: false,
    grid: { left: 1, right: 1, top: 3, bottom: 1, outerBoundsMode: 'none' },
    xAxis: { type: 'category', show: false, boundaryGap: false, data: values.map((_, i) => i) },
    yAxis: { type: 'value', show: false, scale: true },
    series: [
      {
        type: 'line',
        data: values,
        silent: true,
        symbol: 'none',
        connectNulls: true,
        lineStyle: { width: 1.6, color },
        areaStyle: {
          color: { type: 'linear', x: 0, y: 0, x2: 0, y2: 1, colorStops: [{ offset: 0, color: `${color}33` }, { offset: 1, color: `${color}00` }] },
        },
      },
    ],
  };
}

export interface StackSeries {
  id: string;
  name: string;
  color: string;
  values: (number | null)[];
}

/** Bars per period, stacked by a dimension (GMV by platform), with a total in the tooltip. */
export function stackedBarOption(opts: { periods: string[]; periodLabels: string[]; series: StackSeries[]; unit: Unit; totalLabel: string; narrow: boolean }): ChartOption {
  const { periods, periodLabels, series, unit, totalLabel, narrow } = opts;
  return {
    ...baseOption(),
    color: series.map((s) => s.color),
    legend: { type: 'scroll', top: 0, left: 0, icon: 'circle', itemWidth: 8, itemHeight: 8, itemGap: 14, textStyle: { color: TEXT_MUTED, fontSize: 12 } },
    grid: { left: 4, right: 8, top: 36, bottom: 4 },
    tooltip: {
      ...baseOption().tooltip,
      trigger: 'axis',
      axisPointer: { type: 'shadow', shadowStyle: { color: 'rgba(44,93,158,0.06)' } },
      formatter: (raw: unknown) => {
        const items = (Array.isArray(raw) ? raw : [raw]) as { dataIndex: number; seriesName: string; color: string; value: number | null }[];
        if (!items.length) return '';
        const idx = items[0].dataIndex;
        const total = items.reduce((sum, it) => sum + (typeof it.value === 'number' ? it.value : 0), 0);
        const rows = [...items]
          .sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
          .map((it) => `<div style="display:flex;justify-content:space-between;gap:16px"><span>${dot(it.color)}${esc(it.seriesName)}</span><b>${esc(formatValue(it.value, unit))}</b></div>`)
          .join('');
        return `<div style="font-weight:600;margin-bottom:4px">${esc(periodLabels[idx] ?? periods[idx])}</div>${rows}<div style="display:flex;justify-content:space-between;gap:16px;border-top:1px solid #e8ebef;margin-top:4px;padding-top:4px"><span>${esc(totalLabel)}</span><b>${esc(formatValue(total, unit))}</b></div>`;
      },
    },
    xAxis: {
      type: 'category',
      data: periods,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: GRID_LINE } },
      axisLabel: { ...AXIS_LABEL, hideOverlap: true, formatter: (_: string, i: number) => periodLabels[i] ?? '' },
    },
    yAxis: {
      type: 'value',
      splitNumber: narrow ? 3 : 5,
      splitLine: { lineStyle: { color: GRID_LINE } },
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatCompact(v, unit) },
    },
    series: series.map((s) => ({
      type: 'bar',
      id: s.id,
      name: s.name,
      stack: 'total',
      data: s.values,
      barMaxWidth: 36,
      emphasis: { focus: 'series' },
      itemStyle: { color: s.color },
    })),
  };
}

export interface BarItem {
  key: string;
  label: string;
  value: number | null;
  color?: string;
  /** extra line in the tooltip (e.g. orders, numerator/denominator) */
  detail?: string;
}

/** Horizontal bars, largest first, value labels at the end (top categories, regions, …). */
export function barListOption(opts: { items: BarItem[]; unit: Unit; total?: number | null; shareLabel?: string; clickable: boolean; labelWidth: number; narrow?: boolean }): ChartOption {
  const { items, unit, total, shareLabel, clickable, labelWidth, narrow = false } = opts;
  const share = (v: number | null) => (total && v !== null ? ` · ${fmtNumber(v / total, { style: 'percent', maximumFractionDigits: 1 })}` : '');
  return {
    ...baseOption(),
    // a fixed margin on the right holds the value labels, whatever the card's width
    grid: { left: 4, right: total ? (narrow ? 96 : 104) : 64, top: 4, bottom: 4 },
    tooltip: {
      ...baseOption().tooltip,
      trigger: 'item',
      formatter: (raw: unknown) => {
        const p = raw as { dataIndex: number; color: string };
        const item = items[p.dataIndex];
        if (!item) return '';
        const shareLine = total && item.value !== null && shareLabel ? `<div>${esc(shareLabel)}: ${esc(fmtNumber(item.value / total, { style: 'percent', maximumFractionDigits: 1 }))}</div>` : '';
        return `<div style="font-weight:600;margin-bottom:2px">${dot(p.color)}${esc(item.label)}</div><div><b>${esc(formatValue(item.value, unit))}</b></div>${shareLine}${item.detail ? `<div style="color:#5b6470">${esc(item.detail)}</div>` : ''}`;
      },
    },
    xAxis: { type: 'value', show: false, max: 'dataMax' },
    yAxis: {
      type: 'category',
      inverse: true,
      data: items.map((it) => it.key),
      triggerEvent: clickable,
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: {
        color: '#414953',
        fontSize: 12,
        width: labelWidth,
        overflow: 'truncate',
        formatter: (_: string, i: number) => items[i]?.label ?? '',
      },
    },
    series: [
      {
        type: 'bar',
        data: items.map((it, i) => ({ value: it.value, itemStyle: { color: it.color ?? colorAt(0), opacity: 0.92 }, name: it.key, id: String(i) })),
        barMaxWidth: 18,
        barCategoryGap: '35%',
        cursor: clickable ? 'pointer' : 'default',
        itemStyle: { borderRadius: [0, 3, 3, 0] },
        emphasis: { itemStyle: { opacity: 1 } },
        label: {
          show: true,
          position: 'right',
          color: '#414953',
          fontSize: 11,
          formatter: (p: { dataIndex: number }) => {
            const v = items[p.dataIndex]?.value ?? null;
            return (unit === 'money' || unit === 'count' ? formatCompact(v, unit) : formatValue(v, unit)) + share(v);
          },
        },
      },
    ],
  };
}

/** A KPI over time: a line (bars for additive amounts), with a tooltip that can carry extra lines. */
export function timeSeriesOption(opts: {
  periodLabels: string[];
  axisLabels: string[];
  values: (number | null)[];
  unit: Unit;
  name: string;
  kind: 'line' | 'bar';
  details?: (string | null)[];
  narrow: boolean;
}): ChartOption {
  const { periodLabels, axisLabels, values, unit, name, kind, details, narrow } = opts;
  const many = values.length > 60;
  return {
    ...baseOption(),
    grid: { left: 4, right: 12, top: 12, bottom: many ? 40 : 4 },
    tooltip: {
      ...baseOption().tooltip,
      trigger: 'axis',
      axisPointer: kind === 'bar' ? { type: 'shadow', shadowStyle: { color: 'rgba(44,93,158,0.06)' } } : { type: 'line', lineStyle: { color: '#c9cfd6' } },
      formatter: (raw: unknown) => {
        const items = (Array.isArray(raw) ? raw : [raw]) as { dataIndex: number; color: string; value: number | null }[];
        if (!items.length) return '';
        const i = items[0].dataIndex;
        const extra = details?.[i] ? `<div style="color:#5b6470">${esc(details[i]!)}</div>` : '';
        return `<div style="font-weight:600;margin-bottom:2px">${esc(periodLabels[i] ?? '')}</div><div>${dot(items[0].color)}${esc(name)}: <b>${esc(formatValue(items[0].value, unit))}</b></div>${extra}`;
      },
    },
    dataZoom: many ? [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 6, showDetail: false, borderColor: GRID_LINE }] : [],
    xAxis: {
      type: 'category',
      data: axisLabels,
      boundaryGap: kind === 'bar',
      axisTick: { show: false },
      axisLine: { lineStyle: { color: GRID_LINE } },
      axisLabel: { ...AXIS_LABEL, hideOverlap: true },
    },
    yAxis: {
      type: 'value',
      scale: unit === 'rating',
      // a flat zero line would otherwise get ECharts' default 0…1 axis (100 %, 1000 ‰)
      max: values.every((v) => !v) ? (unit === 'percent' ? 0.01 : unit === 'permille' ? 0.001 : unit === 'rating' ? 5 : 1) : undefined,
      splitNumber: narrow ? 3 : 5,
      splitLine: { lineStyle: { color: GRID_LINE } },
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatCompact(v, unit) },
    },
    series: [
      kind === 'bar'
        ? { type: 'bar', name, data: values, barMaxWidth: 28, itemStyle: { color: ACCENT, borderRadius: [3, 3, 0, 0] } }
        : {
            type: 'line',
            name,
            data: values,
            showSymbol: values.length <= 40,
            symbolSize: 5,
            connectNulls: false,
            lineStyle: { width: 2, color: ACCENT },
            itemStyle: { color: ACCENT },
            areaStyle: { color: { type: 'linear', x: 0, y: 0, x2: 0, y2: 1, colorStops: [{ offset: 0, color: `${ACCENT}29` }, { offset: 1, color: `${ACCENT}00` }] } },
          },
    ],
  };
}

export interface FunnelStep {
  key: string;
  label: string;
  value: number | null;
  /** what the step means relative to the top (e.g. "2.8% of visitors") */
  note: string;
}

/** The conversion funnel as horizontal bars, widest first, each with its value and ratio. */
export function funnelOption(opts: { steps: FunnelStep[]; labelWidth: number }): ChartOption {
  const { steps, labelWidth } = opts;
  const colors = ['#2c5d9e', '#4a78b5', '#6f95c8', '#3b9e8f'];
  return {
    ...baseOption(),
    grid: { left: 4, right: 112, top: 4, bottom: 4 },
    tooltip: {
      ...baseOption().tooltip,
      trigger: 'item',
      formatter: (raw: unknown) => {
        const p = raw as { dataIndex: number; color: string };
        const step = steps[p.dataIndex];
        return step ? `<div style="font-weight:600">${dot(p.color)}${esc(step.label)}</div><div><b>${esc(formatValue(step.value, 'count'))}</b></div><div style="color:#5b6470">${esc(step.note)}</div>` : '';
      },
    },
    xAxis: { type: 'value', show: false, max: 'dataMax' },
    yAxis: {
      type: 'category',
      inverse: true,
      data: steps.map((s) => s.key),
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { color: '#414953', fontSize: 12, width: labelWidth, overflow: 'truncate', formatter: (_: string, i: number) => steps[i]?.label ?? '' },
    },
    series: [
      {
        type: 'bar',
        cursor: 'default',
        barCategoryGap: '30%',
        barMaxWidth: 40,
        data: steps.map((s, i) => ({ value: s.value, itemStyle: { color: colors[i % colors.length], borderRadius: [0, 3, 3, 0] } })),
        label: {
          show: true,
          position: 'right',
          formatter: (p: { dataIndex: number }) => {
            const s = steps[p.dataIndex];
            return s ? `{v|${formatValue(s.value, 'count')}}${s.note ? `\n{n|${s.note}}` : ''}` : '';
          },
          rich: {
            v: { fontSize: 12, fontWeight: 600, color: '#181c21', lineHeight: 16 },
            n: { fontSize: 11, color: '#5b6470', lineHeight: 15 },
          },
        },
      },
    ],
  };
}

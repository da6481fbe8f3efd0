// The one drawing of a query result as a chart: the workbench's chart builder and the dashboard
// tiles both hand a RunReply and the saved ChartSpec to chartOption(), so a pinned chart looks
// exactly like the one the analyst built. Rows are pivoted by the series column (one ECharts
// series per distinct value); duplicate (x, series) pairs are summed, as a pivot table would.

import { fmtNumber } from '$lib/i18n.svelte';
import { GRID_LINE, PALETTE, TEXT_MUTED, baseOption, type ChartOption } from '$lib/charts/echarts';
import type { ChartSpec, RunReply } from '../../../server/queries/contract.ts';

type Cell = RunReply['rows'][number][number];

const AXIS_LABEL = { color: TEXT_MUTED, fontSize: 11, hideOverlap: true };
const FEW = 12;
const LEGEND = { type: 'scroll' as const, top: 0, left: 0, icon: 'circle', itemWidth: 8, itemHeight: 8, textStyle: { color: TEXT_MUTED, fontSize: 12 } };

/** A cell as a number: numbers as is, BIGINT strings parsed, anything else null. */
export function cellNumber(cell: Cell): number | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
  if (typeof cell === 'string' && cell.trim() !== '') {
    const n = Number(cell);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A category's label: a timestamp at midnight (date_trunc of a day, week or month) reads as its date. */
function cellText(cell: Cell): string {
  if (cell === null) return '∅';
  const text = String(cell);
  return /^\d{4}-\d{2}-\d{2}T00:00:00(?:\.0+)?Z?$/.test(text) ? text.slice(0, 10) : text;
}

function compact(value: number): string {
  return fmtNumber(value, { notation: 'compact', maximumFractionDigits: 1 });
}

/** The column's index, or an error naming the column the spec asks for. */
function columnIndex(result: RunReply, name: string): number {
  const index = result.columns.findIndex((c) => c.name === name);
  if (index < 0) throw new Error(`the chart's column "${name}" is not in the result`);
  return index;
}

export interface Pivot {
  /** distinct x values, in the order they first appear (the SQL's ORDER BY) */
  categories: string[];
  series: { name: string; values: (number | null)[] }[];
}

/**
 * Rows → one value per (x, series value, y column). Without a series column each y column is a
 * series; with one, each distinct series value (× y column when there are several) is.
 */
export function pivot(result: RunReply, spec: ChartSpec): Pivot {
  const xi = columnIndex(result, spec.x);
  const yis = spec.y.map((y) => columnIndex(result, y));
  const si = spec.series ? columnIndex(result, spec.series) : -1;
  const categories: string[] = [];
  const categoryIndex = new Map<string, number>();
  const sums = new Map<string, Map<number, number>>();
  const seriesNames: string[] = [];
  for (const row of result.rows) {
    const x = cellText(row[xi]);
    let ci = categoryIndex.get(x);
    if (ci === undefined) {
      ci = categories.push(x) - 1;
      categoryIndex.set(x, ci);
    }
    yis.forEach((yi, k) => {
      const name = si < 0 ? spec.y[k] : yis.length > 1 ? `${cellText(row[si])} · ${spec.y[k]}` : cellText(row[si]);
      let byCategory = sums.get(name);
      if (!byCategory) {
        byCategory = new Map();
        sums.set(name, byCategory);
        seriesNames.push(name);
      }
      const value = cellNumber(row[yi]);
      if (value !== null) byCategory.set(ci, (byCategory.get(ci) ?? 0) + value);
    });
  }
  return {
    categories,
    series: seriesNames.map((name) => {
      const byCategory = sums.get(name)!;
      return { name, values: categories.map((_, ci) => byCategory.get(ci) ?? null) };
    }),
  };
}

/** What charts on x/y axes share: palette, a legend when there is more than one series, the grid. */
function frame(seriesCount: number): ChartOption {
  const legend = seriesCount > 1;
  return {
    ...baseOption(),
    color: PALETTE,
    legend: legend ? LEGEND : undefined,
    grid: { left: 8, right: 16, top: legend ? 36 : 12, bottom: 8, containLabel: true },
  };
}

function cartesian(result: RunReply, spec: ChartSpec): ChartOption {
  const { categories, series } = pivot(result, spec);
  return {
    ...frame(series.length),
    tooltip: { ...baseOption().tooltip, trigger: 'axis', axisPointer: { type: spec.type === 'bar' ? 'shadow' : 'line' } },
    xAxis: {
      type: 'category',
      data: categories,
      boundaryGap: spec.type === 'bar',
      axisTick: { show: false },
      axisLine: { lineStyle: { color: GRID_LINE } },
      // a few categories: every label, shortened; many: ECharts skips the ones that would overlap
      axisLabel: categories.length <= FEW ? { ...AXIS_LABEL, interval: 0, width: 72, overflow: 'truncate' } : AXIS_LABEL,
    },
    yAxis: { type: 'value', splitLine: { lineStyle: { color: GRID_LINE } }, axisLabel: { ...AXIS_LABEL, formatter: compact } },
    series: series.map((s) =>
      spec.type === 'bar'
        ? { type: 'bar' as const, name: s.name, data: s.values, stack: spec.stack ? 'total' : undefined, barMaxWidth: 36, emphasis: { focus: 'series' as const } }
        : {
            type: 'line' as const,
            name: s.name,
            data: s.values,
            stack: spec.stack ? 'total' : undefined,
            areaStyle: spec.type === 'area' ? { opacity: 0.25 } : undefined,
            showSymbol: categories.length <= 40,
            connectNulls: true,
          },
    ),
  };
}

function pie(result: RunReply, spec: ChartSpec): ChartOption {
  const { categories, series } = pivot(result, { ...spec, y: [spec.y[0]], series: null });
  const values = series[0]?.values ?? [];
  return {
    ...baseOption(),
    color: PALETTE,
    legend: { ...LEGEND, orient: 'horizontal' },
    tooltip: { ...baseOption().tooltip, trigger: 'item' },
    series: [
      {
        type: 'pie',
        name: spec.y[0],
        radius: ['35%', '68%'],
        center: ['50%', '56%'],
        label: { color: TEXT_MUTED, fontSize: 11 },
        data: categories.map((name, i) => ({ name, value: values[i] ?? 0 })),
      },
    ],
  };
}

function scatter(result: RunReply, spec: ChartSpec): ChartOption {
  const xi = columnIndex(result, spec.x);
  const yi = columnIndex(result, spec.y[0]);
  const si = spec.series ? columnIndex(result, spec.series) : -1;
  const groups = new Map<string, [number, number][]>();
  for (const row of result.rows) {
    const x = cellNumber(row[xi]);
    const y = cellNumber(row[yi]);
    if (x === null || y === null) continue;
    const name = si < 0 ? spec.y[0] : cellText(row[si]);
    const points = groups.get(name) ?? [];
    points.push([x, y]);
    groups.set(name, points);
  }
  return {
    ...frame(groups.size),
    tooltip: { ...baseOption().tooltip, trigger: 'item' },
    xAxis: { type: 'value', scale: true, name: spec.x, nameLocation: 'end', splitLine: { lineStyle: { color: GRID_LINE } }, axisLabel: { ...AXIS_LABEL, formatter: compact } },
    yAxis: { type: 'value', scale: true, splitLine: { lineStyle: { color: GRID_LINE } }, axisLabel: { ...AXIS_LABEL, formatter: compact } },
    series: [...groups].map(([name, data]) => ({ type: 'scatter' as const, name, data, symbolSize: 7 })),
  };
}

/** Heatmap: x along the bottom, the series column up the side, y[0] the colour. */
function heatmap(result: RunReply, spec: ChartSpec): ChartOption {
  if (!spec.series) throw new Error('a heatmap needs a series column for its vertical axis');
  const { categories, series } = pivot(result, { ...spec, y: [spec.y[0]] });
  const cells: [number, number, number][] = [];
  series.forEach((s, row) => s.values.forEach((v, col) => v !== null && cells.push([col, row, v])));
  const values = cells.map((c) => c[2]);
  return {
    ...baseOption(),
    tooltip: { ...baseOption().tooltip, trigger: 'item' },
    // room under the axis labels for the colour scale
    grid: { left: 8, right: 16, top: 12, bottom: 64, containLabel: true },
    xAxis: { type: 'category', data: categories, splitArea: { show: true }, axisLabel: AXIS_LABEL },
    yAxis: { type: 'category', data: series.map((s) => s.name), splitArea: { show: true }, axisLabel: AXIS_LABEL },
    visualMap: {
      min: values.length ? Math.min(...values) : 0,
      max: values.length ? Math.max(...values) : 1,
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      textStyle: { color: TEXT_MUTED, fontSize: 11 },
      formatter: (v: unknown) => compact(Number(v)),
      inRange: { color: ['#eef3fa', '#2c5d9e'] },
    },
    series: [{ type: 'heatmap', name: spec.y[0], data: cells, emphasis: { itemStyle: { borderColor: '#fff', borderWidth: 1 } } }],
  };
}

/**
 * The ECharts option drawing `result` as `spec` says. Throws an Error (message for the user)
 * when the spec names a column the result does not have.
 */
export function chartOption(result: RunReply, spec: ChartSpec): ChartOption {
  switch (spec.type) {
    case 'pie':
      return pie(result, spec);
    case 'scatter':
      return scatter(result, spec);
    case 'heatmap':
      return heatmap(result, spec);
    default:
      return cartesian(result, spec);
  }
}

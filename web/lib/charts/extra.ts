// Option builders for the Customers and Staff pages: a treemap of segments, a retention
// heatmap and a movement sankey. Same look as options.ts: pages hand over translated labels.

import { fmtNumber } from '$lib/i18n.svelte';
import { formatCompact, formatValue } from '$lib/kpi/format';
import type { Unit } from '$lib/kpi/types';
import { TEXT_MUTED, baseOption, dot, esc, type ChartOption } from './echarts';

const AXIS_LABEL = { color: TEXT_MUTED, fontSize: 11 };

export interface TreeItem {
  key: string;
  label: string;
  value: number;
  color: string;
  /** extra lines in the tooltip */
  lines: string[];
}

/** Rectangles sized by a value (customers per segment), labelled with name and share. */
export function treemapOption(opts: { items: TreeItem[]; unit: Unit; narrow: boolean }): ChartOption {
  const { items, unit, narrow } = opts;
  const total = items.reduce((s, it) => s + it.value, 0);
  return {
    ...baseOption(),
    tooltip: {
      ...baseOption().tooltip,
      trigger: 'item',
      formatter: (raw: unknown) => {
        const p = raw as { dataIndex: number; data?: { key?: string } };
        const item = items.find((it) => it.key === p.data?.key);
        if (!item) return '';
        return `<div style="font-weight:600;margin-bottom:2px">${dot(item.color)}${esc(item.label)}</div>${item.lines.map((l) => `<div>${esc(l)}</div>`).join('')}`;
      },
    },
    series: [
      {
        type: 'treemap',
        roam: false,
        nodeClick: false,
        breadcrumb: { show: false },
        width: '100%',
        height: '100%',
        top: 0,
        left: 0,
        itemStyle: { borderColor: '#fff', borderWidth: 2, gapWidth: 2 },
        label: {
          show: true,
          formatter: (raw: unknown) => {
            const p = raw as { data?: { key?: string } };
            const item = items.find((it) => it.key === p.data?.key);
            if (!item) return '';
            const share = total ? fmtNumber(item.value / total, { style: 'percent', maximumFractionDigits: 1 }) : '';
            return `{n|${item.label}}\n{v|${formatCompact(item.value, unit)} · ${share}}`;
          },
          rich: {
            n: { fontSize: narrow ? 11 : 13, fontWeight: 600, color: '#fff', lineHeight: 18 },
            v: { fontSize: narrow ? 10 : 11, color: 'rgba(255,255,255,0.9)', lineHeight: 15 },
          },
        },
        data: items.filter((it) => it.value > 0).map((it) => ({ name: it.label, key: it.key, value: it.value, itemStyle: { color: it.color } })),
      },
    ],
  };
}

/** Cohort retention: rows are cohorts (first-order month), columns months since, cells a share. */
export function retentionHeatmapOption(opts: {
  cohorts: string[];
  cohortLabels: string[];
  offsets: number[];
  cells: { row: number; col: number; share: number; active: number; size: number }[];
  offsetLabel: (n: number) => string;
  activeLabel: string;
  sizeLabel: string;
  narrow: boolean;
}): ChartOption {
  const { cohorts, cohortLabels, offsets, cells, offsetLabel, activeLabel, sizeLabel, narrow } = opts;
  // month 0 is 100 % by definition; the colour scale is fitted to the later months
  const later = cells.filter((c) => offsets[c.col] !== 0).map((c) => c.share);
  const max = later.length ? Math.max(...later, 0.01) : 1;
  const pct = (v: number) => fmtNumber(v, { style: 'percent', maximumFractionDigits: v < 0.1 ? 1 : 0 });
  return {
    ...baseOption(),
    grid: { left: 4, right: 8, top: 8, bottom: 4, containLabel: true } as ChartOption['grid'],
    tooltip: {
      ...baseOption().tooltip,
      trigger: 'item',
      formatter: (raw: unknown) => {
        const p = raw as { data: [number, number, number, number, number] };
        const [col, row, share, active, size] = p.data;
        return `<div style="font-weight:600">${esc(cohortLabels[row] ?? '')} · ${esc(offsetLabel(offsets[col]))}</div><div><b>${esc(pct(share))}</b></div><div style="color:#5b6470">${esc(activeLabel)}: ${esc(fmtNumber(active))} / ${esc(sizeLabel)}: ${esc(fmtNumber(size))}</div>`;
      },
    },
    xAxis: {
      type: 'category',
      data: offsets.map((o) => String(o)),
      position: 'top',
      splitArea: { show: false },
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { ...AXIS_LABEL, formatter: (v: string) => (narrow ? v : offsetLabel(Number(v))) },
    },
    yAxis: {
      type: 'category',
      data: cohorts,
      inverse: true,
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { ...AXIS_LABEL, formatter: (_: string, i: number) => cohortLabels[i] ?? '' },
    },
    visualMap: {
      show: false,
      min: 0,
      max,
      dimension: 2,
      inRange: { color: ['#f1f5fb', '#9fbbe0', '#2c5d9e'] },
      outOfRange: { color: ['#1f477d'] },
    },
    series: [
      {
        type: 'heatmap',
        data: cells.map((c) => [c.col, c.row, c.share, c.active, c.size]),
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
        label: {
          show: !narrow || offsets.length <= 8,
          fontSize: narrow ? 9 : 10,
          formatter: (raw: unknown) => pct((raw as { data: [number, number, number] }).data[2]),
          color: '#181c21',
        },
        emphasis: { itemStyle: { borderColor: '#181c21', borderWidth: 1 } },
      },
    ],
  };
}

/** Segment movement: left column "from" segments, right column "to" segments. */
export function movementSankeyOption(opts: {
  nodes: { key: string; label: string; color: string }[];
  links: { from: string; to: string; value: number }[];
  customersLabel: string;
  narrow: boolean;
}): ChartOption {
  const { nodes, links, customersLabel, narrow } = opts;
  const fromIds = new Set(links.map((l) => l.from));
  const toIds = new Set(links.map((l) => l.to));
  const labelOf = new Map(nodes.map((n) => [n.key, n]));
  const data = [
    ...[...fromIds].map((k) => ({ name: `a:${k}`, itemStyle: { color: labelOf.get(k)?.color ?? '#999' } })),
    ...[...toIds].map((k) => ({ name: `b:${k}`, itemStyle: { color: labelOf.get(k)?.color ?? '#999' }, label: { position: 'left' as const } })),
  ];
  const name = (id: string) => labelOf.get(id.slice(2))?.label ?? id.slice(2);
  return {
    ...baseOption(),
    tooltip: {
      ...baseOption().tooltip,
      trigger: 'item',
      formatter: (raw: unknown) => {
        const p = raw as { dataType: string; data: { source?: string; target?: string; value?: number; name?: string }; value: number };
        if (p.dataType === 'edge') return `${esc(name(p.data.source!))} → ${esc(name(p.data.target!))}<div><b>${esc(formatValue(p.data.value ?? 0, 'count'))}</b> ${esc(customersLabel)}</div>`;
        return `${esc(name(p.data.name ?? ''))}<div><b>${esc(formatValue(p.value, 'count'))}</b> ${esc(customersLabel)}</div>`;
      },
    },
    series: [
      {
        type: 'sankey',
        left: 4,
        right: 4,
        // a label is centred on its node: the padding keeps the first and last ones whole
        top: 14,
        bottom: 14,
        nodeWidth: 10,
        nodeGap: narrow ? 10 : 6,
        layoutIterations: 0,
        emphasis: { focus: 'adjacency' },
        label: { color: '#414953', fontSize: narrow ? 10 : 11, formatter: (p: { name: string }) => name(p.name) },
        // thin neighbouring nodes would print their names over each other; the tooltip and the matrix still name them
        labelLayout: { hideOverlap: true },
        lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
        data,
        links: links.filter((l) => l.value > 0).map((l) => ({ source: `a:${l.from}`, target: `b:${l.to}`, value: l.value })),
      },
    ],
  };
}


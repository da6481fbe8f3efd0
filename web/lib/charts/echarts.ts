// ECharts, registered piece by piece (only the charts and components Vigil draws), with the
// app's palette and text styles. Every chart goes through components/charts/Chart.svelte.

import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, PieChart, SankeyChart, ScatterChart, TreemapChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { ComposeOption } from 'echarts/core';
import type {
  BarSeriesOption,
  HeatmapSeriesOption,
  LineSeriesOption,
  PieSeriesOption,
  SankeySeriesOption,
  ScatterSeriesOption,
  TreemapSeriesOption,
} from 'echarts/charts';
import type {
  DataZoomComponentOption,
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  PieChart,
  SankeyChart,
  ScatterChart,
  TreemapChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };
export type ECharts = echarts.ECharts;

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | HeatmapSeriesOption
  | PieSeriesOption
  | SankeySeriesOption
  | ScatterSeriesOption
  | TreemapSeriesOption
  | DataZoomComponentOption
  | GridComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
>;

/** What a click on a chart reports (the subset of ECharts' event the pages use). */
export interface ChartClick {
  componentType: string;
  seriesId?: string;
  seriesName?: string;
  seriesIndex?: number;
  dataIndex?: number;
  name?: string;
  value?: unknown;
  /** for a click on an axis label */
  targetType?: string;
  data?: unknown;
}

/** Colour-blind-friendly categorical palette (Tableau 10, adjusted to the app's blue). */
export const PALETTE = ['#2c5d9e', '#e8853d', '#3b9e8f', '#d14f5a', '#7d62b3', '#c9a227', '#5a9bd4', '#8c6d4f', '#d07bb0', '#7f8c8d'];

export const TEXT = '#414953';
export const TEXT_MUTED = '#7a838e';
export const GRID_LINE = '#e8ebef';
export const ACCENT = '#2c5d9e';

export function colorAt(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

export const FONT = getComputedStyleSafe('--font-sans') ||
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";

function getComputedStyleSafe(name: string): string {
  if (typeof document === 'undefined') return '';
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Options every chart shares: fonts, tooltip look, quick animation. */
export function baseOption(): ChartOption {
  return {
    textStyle: { fontFamily: FONT, color: TEXT },
    animationDuration: 300,
    animationDurationUpdate: 300,
    tooltip: {
      confine: true,
      backgroundColor: '#fff',
      borderColor: '#dfe3e8',
      borderWidth: 1,
      padding: [8, 10],
      textStyle: { color: '#181c21', fontSize: 12, fontFamily: FONT },
      extraCssText: 'box-shadow: 0 4px 14px rgb(16 24 40 / 0.12); border-radius: 8px;',
    },
  };
}

/** HTML-escape text put into tooltip markup (names come from the data). */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function dot(color: string): string {
  return `<span style="display:inline-block;width:8px;height:8px;border-radius:50%;background:${color};margin-right:6px"></span>`;
}

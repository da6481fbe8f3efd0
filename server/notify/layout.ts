// One description of an email, rendered twice: as plain text and as self-contained HTML
// (inline styles, bars as table cells — mail clients block external images and stylesheets).
import { escapeHtml } from './format.ts';

export interface Fact {
  label: string;
  value: string;
  href?: string;
}

export interface TableRow {
  cells: string[];
  /** an inline bar drawn after the cells: its length 0–1 of the column and its colour */
  bar?: { fraction: number; color: string };
}

export interface MessageDoc {
  subject: string;
  lead: string;
  facts: Fact[];
  table?: { caption: string; columns: string[]; rows: TableRow[] };
  link: { label: string; href: string };
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const BAR_WIDTH_PX = 160;

function textTable(table: NonNullable<MessageDoc['table']>): string[] {
  const rows = [table.columns, ...table.rows.map((r) => r.cells)];
  const widths = table.columns.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [table.caption, line(table.columns), ...table.rows.map((r) => line(r.cells))];
}

function renderText(doc: MessageDoc): string {
  const labelWidth = Math.max(...doc.facts.map((f) => f.label.length));
  const lines = [doc.lead, '', ...doc.facts.map((f) => `${`${f.label}:`.padEnd(labelWidth + 2)}${f.value}${f.href ? ` <${f.href}>` : ''}`)];
  if (doc.table) lines.push('', ...textTable(doc.table));
  lines.push('', `${doc.link.label}: ${doc.link.href}`, '', '-- ', 'Vigil risk monitoring');
  return `${lines.join('\n')}\n`;
}

const cell = 'padding:4px 8px;border-bottom:1px solid #e0e0e0;text-align:left';

function htmlBar(bar: TableRow['bar']): string {
  if (!bar) return `<td style="${cell}"></td>`;
  const width = Math.max(1, Math.round(Math.min(1, Math.max(0, bar.fraction)) * BAR_WIDTH_PX));
  return `<td style="${cell};width:${BAR_WIDTH_PX}px"><table role="presentation" cellpadding="0" cellspacing="0"><tr>`
    + `<td style="background:${bar.color};width:${width}px;height:10px;font-size:0;line-height:0">&nbsp;</td></tr></table></td>`;
}

function htmlTable(table: NonNullable<MessageDoc['table']>): string {
  const withBars = table.rows.some((r) => r.bar);
  const head = [...table.columns, ...(withBars ? [''] : [])].map((c) => `<th style="${cell}">${escapeHtml(c)}</th>`).join('');
  const rows = table.rows
    .map((r) => `<tr>${r.cells.map((c) => `<td style="${cell}">${escapeHtml(c)}</td>`).join('')}${withBars ? htmlBar(r.bar) : ''}</tr>`)
    .join('');
  return `<h3 style="font-size:14px;margin:16px 0 4px">${escapeHtml(table.caption)}</h3>`
    + `<table style="border-collapse:collapse;font-size:13px"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

const anchor = (href: string, label: string) => `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;

function renderHtml(doc: MessageDoc): string {
  const facts = doc.facts
    .map((f) => `<tr><th style="${cell};color:#555">${escapeHtml(f.label)}</th><td style="${cell}">${f.href ? anchor(f.href, f.value) : escapeHtml(f.value)}</td></tr>`)
    .join('');
  return '<!doctype html><html><head><meta charset="utf-8"><title>'
    + `${escapeHtml(doc.subject)}</title></head><body style="font-family:Arial,Helvetica,sans-serif;color:#222">`
    + `<p style="font-size:15px">${escapeHtml(doc.lead)}</p>`
    + `<table style="border-collapse:collapse;font-size:13px">${facts}</table>`
    + (doc.table ? htmlTable(doc.table) : '')
    + `<p style="margin-top:16px">${anchor(doc.link.href, doc.link.label)}</p>`
    + '<p style="color:#888;font-size:11px">Vigil risk monitoring</p></body></html>';
}

export function renderMessage(doc: MessageDoc): RenderedMessage {
  return { subject: doc.subject, text: renderText(doc), html: renderHtml(doc) };
}

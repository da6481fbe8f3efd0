// Client-side downloads: CSV of a table (UTF-8 with a byte-order mark, so that Excel opens
// Chinese text correctly; RFC 4180 quoting) and PNG of a chart.

export type CsvCell = string | number | boolean | null | undefined;

function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  // a text cell that a spreadsheet would run as a formula is neutralised
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: CsvCell[][]): string {
  return '\uFEFF' + [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function save(href: string, filename: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
}

export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  save(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadCsv(filename: string, header: string[], rows: CsvCell[][]): void {
  downloadBlob(filename.endsWith('.csv') ? filename : `${filename}.csv`, new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' }));
}

export function downloadDataUrl(filename: string, dataUrl: string): void {
  save(dataUrl, filename);
}

/** A file name from readable parts: "gmv-trend_2026-06-01_2026-06-30". */
export function fileName(...parts: (string | null | undefined)[]): string {
  return parts
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/[\\/:*?"<>|\s]+/g, '-'))
    .join('_');
}

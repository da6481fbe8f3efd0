import type { CsvCell } from '$lib/export';

/** A column of a DataTable. */
export interface Column<Row> {
  id: string;
  label: string;
  /** what the cell shows */
  text: (row: Row) => string;
  /** what the CSV holds; default the text */
  csv?: (row: Row) => CsvCell;
  num?: boolean;
  /** extra class of the cell (e.g. a tone) */
  cellClass?: (row: Row) => string;
  title?: (row: Row) => string | undefined;
}

/** The CSV of a table: its column labels and each column's raw value. */
export function tableCsv<Row>(columns: Column<Row>[], rows: Row[]): { header: string[]; rows: CsvCell[][] } {
  return { header: columns.map((c) => c.label), rows: rows.map((r) => columns.map((c) => (c.csv ? c.csv(r) : c.text(r)))) };
}

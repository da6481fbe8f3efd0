// The data-quality report kept with every snapshot (quality.json) and shown on the Data page.

export interface RejectedSample {
  /** the source file (relative to the input folder) */
  file?: string;
  /** 1-based data row number in the source file (the header is not counted); for a row built
   * by splitting a file, its first line */
  row: number;
  reason: string;
  detail: string;
  values: Record<string, string | null>;
}

export interface TableQuality {
  table: string;
  /** source file(s) the table was read from */
  files: string[];
  read: number;
  accepted: number;
  rejected: number;
  /** reason code -> count, e.g. { duplicate: 3, bad_date: 1 } */
  reasons: Record<string, number>;
  samples: RejectedSample[];
}

/**
 * A file split into several tables (mapping "split"), accounted line by line: every line is
 * accepted (it fed the tables) or rejected with one reason; read = accepted + rejected.
 */
export interface SourceQuality {
  file: string;
  /** the tables the file was split into */
  tables: string[];
  read: number;
  accepted: number;
  rejected: number;
  reasons: Record<string, number>;
  samples: RejectedSample[];
}

export interface QualityReport {
  snapshotId: string;
  source: string;
  startedAt: string;
  finishedAt: string;
  tables: TableQuality[];
  /** canonical tables the input did not have; KPIs that need them report "no data" */
  missingTables: string[];
  /** files split into several tables, with their line-level accounting */
  sources?: SourceQuality[];
  warnings: string[];
}

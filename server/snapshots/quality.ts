// The data-quality report kept with every snapshot (quality.json) and shown on the Data page.

export interface RejectedSample {
  /** 1-based data row number in the source file (the header is not counted) */
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

export interface QualityReport {
  snapshotId: string;
  source: string;
  startedAt: string;
  finishedAt: string;
  tables: TableQuality[];
  /** canonical tables the input did not have; KPIs that need them report "no data" */
  missingTables: string[];
  warnings: string[];
}

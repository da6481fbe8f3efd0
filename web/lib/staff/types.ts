// The staff API's shapes, straight from the server's contract (type-only).
export type {
  FigureDefinition,
  Ranking,
  SalesFigures,
  SalesRow,
  ServiceFigures,
  ServiceRow,
  StaffMember,
  StaffPerformanceReply,
  StaffPersonReply,
  StaffPeriod,
  StaffRole,
} from '../../../server/staff/contract.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const YEAR = /^\d{4}$/;

/** A valid `period` query value, or null. */
export function parsePeriod(value: string | null): string | null {
  return value && (MONTH.test(value) || YEAR.test(value)) ? value : null;
}

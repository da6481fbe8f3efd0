// The status workflow: identified → assessed → treating → monitoring → closed.
import { RISK_STATUSES, type RiskStatus } from '../contract.ts';
import { RegisterRefusal } from './errors.ts';

/** Forward one step at a time, or back to any earlier status; a closed risk reopens only to monitoring. */
export function canMove(from: RiskStatus, to: RiskStatus): boolean {
  const a = RISK_STATUSES.indexOf(from);
  const b = RISK_STATUSES.indexOf(to);
  if (from === 'closed') return to === 'monitoring';
  return b === a + 1 || b < a;
}

export function assertMove(from: RiskStatus, to: RiskStatus): void {
  if (from !== to && !canMove(from, to)) {
    const hint = from === 'closed' ? 'a closed risk reopens only to monitoring' : 'a risk moves forward one step at a time or back to an earlier status';
    throw new RegisterRefusal(400, `status cannot move from ${from} to ${to}: ${hint}`);
  }
}

// A risk's stored values: the API's fields as columns, the assessment that sets its review
// period, and what no stored risk may be.
import type { Assessment, RiskMatrix } from '../contract.ts';
import { RegisterRefusal } from './errors.ts';
import { assess } from './matrix.ts';
import { RISK_FIELDS, type RiskField, type RiskValues } from './store.ts';

export function toColumns(fields: Partial<Record<RiskField, unknown>>): Partial<RiskValues> {
  const entries = Object.entries(fields).filter(([k, v]) => k in RISK_FIELDS && v !== undefined);
  return Object.fromEntries(entries.map(([k, v]) => [RISK_FIELDS[k as RiskField], v])) as Partial<RiskValues>;
}

type Scores = Pick<RiskValues, 'inherent_likelihood' | 'inherent_impact' | 'residual_likelihood' | 'residual_impact'>;

/** The residual assessment once made, else the inherent one: it decides the review period. */
export function governingAssessment(v: Scores, m: RiskMatrix): Assessment {
  return v.residual_likelihood !== null && v.residual_impact !== null
    ? assess(v.residual_likelihood, v.residual_impact, m)
    : assess(v.inherent_likelihood, v.inherent_impact, m);
}

/** Refuses half a residual assessment, and an acceptance without approver and expiry. */
export function assertConsistent(v: RiskValues): void {
  if ((v.residual_likelihood === null) !== (v.residual_impact === null)) {
    throw new RegisterRefusal(400, 'residual likelihood and residual impact are set (or cleared) together');
  }
  if (v.response === 'accept' && (!v.acceptance_approver || !v.acceptance_expires)) {
    throw new RegisterRefusal(400, 'accepting a risk needs an approver (acceptanceApprover) and an expiry date (acceptanceExpires)');
  }
}

/** A KPI query the engine cannot answer as asked (unknown KPI, from after to, ...), naming the parameter at fault. */
export class KpiQueryError extends Error {
  constructor(readonly param: string, readonly detail: string) {
    super(`${param}: ${detail}`);
  }
}

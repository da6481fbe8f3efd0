// Compiles the mapping's small expression vocabulary to SQL. Column names are resolved against
// the file's headers into positional SQL names, literals go through literal(), and anything
// outside the vocabulary is a mapping error naming where it is: the mapping stays data.
//
//   expression  "Header" (a source column) | 12 | true | null | {"value": scalar}
//               {"upper": e} {"lower": e} {"concat": [e, ...]} {"multiply": [e, e]} {"negate": e}
//               {"lookup": name}
//   condition   {"all": [c, ...]} {"any": [c, ...]} {"not": c} {"is": named condition}
//               {"missing": e} {"present": e} {"eq"|"ne"|"lt"|"le"|"gt"|"ge": [e, e]}
//               {"in": [e, [scalar, ...]]} {"startsWith": [e, "text"]} {"matches": [e, "regex"]}
//   output      an expression, or in a grouped split {"min"|"max"|"sum"|"first"|"last": e};
//               in an ungrouped split {"lineNumber": [e, ...]} (1-based position among lines
//               with equal values of the expressions, in file order)
import { literal } from '../db/duck.ts';

export class MappingError extends Error {}

export interface Scope {
  /** SQL of a source column's (typed) value, or undefined when the file has no such column */
  column(name: string): string | undefined;
  /** SQL of a lookup's value, when lookups are visible here */
  lookup?(name: string): string | undefined;
  conditions: Record<string, unknown>;
  /** collects the source columns an expression reads (for rejection details) */
  used?: Set<string>;
}

type Json = Record<string, unknown>;

function operator(node: unknown, path: string, known: readonly string[]): [string, unknown] {
  if (node === null || typeof node !== 'object' || Array.isArray(node) || Object.keys(node).length !== 1) {
    throw new MappingError(`${path}: expected an object with one of ${known.join(', ')}`);
  }
  const [key, arg] = Object.entries(node as Json)[0];
  if (!known.includes(key)) throw new MappingError(`${path}: unknown operator "${key}" (expected one of ${known.join(', ')})`);
  return [key, arg];
}

function list(arg: unknown, path: string, length?: number): unknown[] {
  if (!Array.isArray(arg) || (length !== undefined && arg.length !== length)) {
    throw new MappingError(`${path}: expected a list${length ? ` of ${length}` : ''}`);
  }
  return arg;
}

function scalarSql(value: unknown, path: string): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return literal(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new MappingError(`${path}: expected a string, number, boolean or null`);
}

const EXPRESSIONS = ['value', 'upper', 'lower', 'concat', 'multiply', 'negate', 'lookup'] as const;

export function compileExpr(node: unknown, scope: Scope, path: string): string {
  if (typeof node === 'string') {
    const sql = scope.column(node);
    if (sql === undefined) throw new MappingError(`${path}: the file has no column "${node}"`);
    scope.used?.add(node);
    return sql;
  }
  if (node === null || typeof node !== 'object') return scalarSql(node, path);
  const [op, arg] = operator(node, path, EXPRESSIONS);
  const sub = (n: unknown, k?: number) => compileExpr(n, scope, k === undefined ? `${path}.${op}` : `${path}.${op}[${k}]`);
  switch (op) {
    case 'value':
      return scalarSql(arg, `${path}.value`);
    case 'upper':
    case 'lower':
      return `${op}(${sub(arg)})`;
    case 'concat':
      // || keeps NULL: an identifier built from a missing part is missing, not half an id
      return `(${list(arg, `${path}.concat`).map((n, k) => `CAST(${sub(n, k)} AS VARCHAR)`).join(' || ')})`;
    case 'multiply': {
      const [a, b] = list(arg, `${path}.multiply`, 2);
      return `(${sub(a, 0)} * ${sub(b, 1)})`;
    }
    case 'negate':
      return `(- ${sub(arg)})`;
    case 'lookup': {
      const sql = typeof arg === 'string' ? scope.lookup?.(arg) : undefined;
      if (sql === undefined) throw new MappingError(`${path}: no lookup named ${JSON.stringify(arg)} is available here`);
      return sql;
    }
  }
  throw new MappingError(`${path}: unhandled operator ${op}`);
}

const COMPARISONS = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' } as const;
const CONDITIONS = ['all', 'any', 'not', 'is', 'missing', 'present', 'in', 'startsWith', 'matches', ...Object.keys(COMPARISONS)];

/** A condition as SQL that is always TRUE or FALSE: a comparison with a missing value is FALSE. */
export function compileCond(node: unknown, scope: Scope, path: string, naming: string[] = []): string {
  const [op, arg] = operator(node, path, CONDITIONS);
  const at = `${path}.${op}`;
  const expr = (n: unknown, k: number) => compileExpr(n, scope, `${at}[${k}]`);
  switch (op) {
    case 'all':
    case 'any': {
      const parts = list(arg, at).map((c, k) => compileCond(c, scope, `${at}[${k}]`, naming));
      return parts.length ? `(${parts.join(op === 'all' ? ' AND ' : ' OR ')})` : op === 'all' ? 'TRUE' : 'FALSE';
    }
    case 'not':
      return `(NOT ${compileCond(arg, scope, at, naming)})`;
    case 'is': {
      if (typeof arg !== 'string' || !(arg in scope.conditions)) throw new MappingError(`${at}: no condition named ${JSON.stringify(arg)}`);
      if (naming.includes(arg)) throw new MappingError(`${at}: condition ${arg} refers to itself`);
      return compileCond(scope.conditions[arg], scope, `conditions.${arg}`, [...naming, arg]);
    }
    case 'missing':
      return `(${compileExpr(arg, scope, at)} IS NULL)`;
    case 'present':
      return `(${compileExpr(arg, scope, at)} IS NOT NULL)`;
    case 'in': {
      const [value, options] = list(arg, at, 2);
      const sqls = list(options, `${at}[1]`).map((v, k) => scalarSql(v, `${at}[1][${k}]`));
      return `coalesce(${expr(value, 0)} IN (${sqls.join(', ')}), FALSE)`;
    }
    case 'startsWith':
    case 'matches': {
      const [value, pattern] = list(arg, at, 2);
      if (typeof pattern !== 'string') throw new MappingError(`${at}[1]: expected text`);
      const fn = op === 'startsWith' ? 'starts_with' : 'regexp_full_match';
      return `coalesce(${fn}(${expr(value, 0)}, ${literal(pattern)}), FALSE)`;
    }
    default: {
      const [a, b] = list(arg, at, 2);
      return `coalesce(${expr(a, 0)} ${COMPARISONS[op as keyof typeof COMPARISONS]} ${expr(b, 1)}, FALSE)`;
    }
  }
}

/** Aggregates pick values in file order (__row), so a split is deterministic. */
const AGGREGATES: Record<string, (sql: string) => string> = {
  min: (x) => `min(${x})`,
  max: (x) => `max(${x})`,
  sum: (x) => `sum(${x})`,
  first: (x) => `arg_min(${x}, __row)`,
  last: (x) => `arg_max(${x}, __row)`,
};

/** One output column of a split target; `groupBy` is set when the target groups lines. */
export function compileOutput(node: unknown, scope: Scope, path: string, groupBy?: unknown[]): string {
  const op = node !== null && typeof node === 'object' && !Array.isArray(node) ? Object.keys(node)[0] : undefined;
  if (op !== undefined && op in AGGREGATES) {
    if (!groupBy) throw new MappingError(`${path}: ${op} needs a "groupBy" on the split target`);
    return AGGREGATES[op](compileExpr((node as Json)[op], scope, `${path}.${op}`));
  }
  if (op === 'lineNumber') {
    if (groupBy) throw new MappingError(`${path}: lineNumber is for ungrouped split targets`);
    const parts = list((node as Json).lineNumber, `${path}.lineNumber`).map((n, k) => compileExpr(n, scope, `${path}.lineNumber[${k}]`));
    return `row_number() OVER (${parts.length ? `PARTITION BY ${parts.join(', ')} ` : ''}ORDER BY __row)`;
  }
  if (groupBy && !fixedPerGroup(node, groupBy)) {
    throw new MappingError(`${path}: in a grouped split use ${Object.keys(AGGREGATES).join(', ')}, a constant, or the groupBy expressions`);
  }
  return compileExpr(node, scope, path);
}

/** True when an expression has one value per group: built from constants and groupBy expressions. */
function fixedPerGroup(node: unknown, groupBy: unknown[]): boolean {
  if (groupBy.some((g) => JSON.stringify(g) === JSON.stringify(node))) return true;
  if (typeof node === 'string') return false;
  if (node === null || typeof node !== 'object') return true;
  const [op, arg] = Object.entries(node as Json)[0] ?? [];
  if (op === 'value') return true;
  if (op === 'lookup') return false;
  return (Array.isArray(arg) ? arg : [arg]).every((a) => fixedPerGroup(a, groupBy));
}

// The editor's Format button: keywords in upper case, one clause per line, one select item
// per line, AND/OR of a WHERE on their own lines, subqueries indented. Strings, quoted names,
// comments and parameters are kept as they are.
import { tokenize, type Token } from './tokens.ts';

// words that are only keywords; ones often used as column names (range, first, last, row, current,
// filter, any) keep their case, since upper-casing a column name written bare changes the result's column name
const KEYWORDS = new Set(
  ('select from where group by order having limit offset qualify window with as on using join left right inner full outer cross ' +
    'natural asof positional semi anti union all except intersect distinct and or not in is null like ilike between case when then ' +
    'else end asc desc nulls over partition preceding following unbounded true false ' +
    'exists values describe summarize explain interval cast recursive lateral pivot unpivot').split(' '),
);
/** words that start a clause on a new line */
const CLAUSES = new Set(['select', 'from', 'where', 'group', 'order', 'having', 'limit', 'offset', 'qualify', 'window', 'union', 'except', 'intersect', 'with', 'join', 'left', 'right', 'inner', 'full', 'cross', 'natural', 'asof', 'positional', 'semi', 'anti', 'values']);
/** words after which a clause word continues the same clause ("LEFT JOIN", "UNION ALL") */
const JOIN_PREFIX = new Set(['left', 'right', 'inner', 'full', 'outer', 'cross', 'natural', 'asof', 'positional', 'semi', 'anti']);
/** clauses whose comma-separated items go one per line */
const LISTS = new Set(['select', 'group', 'order']);

const INDENT = '  ';

interface Level {
  /** a parenthesised query (not a function call or IN list) */
  query: boolean;
  clause: string;
}

export function formatSql(sql: string): string {
  const all = tokenize(sql.trim());
  // a word written right against "(" is a function call (range(…), left(…), replace(…)), even when it is also a keyword
  const calls = new Set(all.filter((t, i) => t.kind === 'word' && all[i + 1]?.text === '('));
  const tokens = all.filter((t) => t.kind !== 'space');
  const stack: Level[] = [{ query: true, clause: '' }];
  let out = '';
  let prev: Token | null = null;
  let pendingNewline = false;

  const depth = () => stack.filter((l) => l.query).length - 1;
  const newline = (extra = 0) => {
    out = out.trimEnd() + '\n' + INDENT.repeat(depth() + extra);
  };
  const atLineStart = () => /\n *$/.test(out);

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const lower = tok.kind === 'word' && !calls.has(tok) ? tok.text.toLowerCase() : '';
    const level = stack[stack.length - 1];
    const text = lower && KEYWORDS.has(lower) ? tok.text.toUpperCase() : tok.text;

    const startsClause = level.query && lower !== '' && CLAUSES.has(lower) && !(prev?.kind === 'word' && JOIN_PREFIX.has(prev.text.toLowerCase()));
    if (startsClause && out) {
      newline();
    } else if (level.query && (lower === 'and' || lower === 'or') && (level.clause === 'where' || level.clause === 'having')) {
      newline(1);
    } else if (pendingNewline) {
      newline(level.clause ? 1 : 0);
    } else if (out && !atLineStart() && needsSpace(prev, tok, prev !== null && calls.has(prev))) {
      out += ' ';
    }
    pendingNewline = false;
    out += text;

    if (startsClause) level.clause = lower;
    if (tok.kind === 'comment' && tok.text.startsWith('--')) pendingNewline = true;
    if (tok.text === '(') {
      const next = tokens[i + 1];
      const opensQuery = next?.kind === 'word' && ['select', 'with', 'from', 'values'].includes(next.text.toLowerCase());
      stack.push({ query: opensQuery, clause: '' });
      if (opensQuery) newline();
    } else if (tok.text === ')' && stack.length > 1) {
      const closed = stack.pop()!;
      if (closed.query) {
        out = out.slice(0, -1).trimEnd() + '\n' + INDENT.repeat(depth()) + ')';
      }
    } else if (tok.text === ',' && level.query && LISTS.has(level.clause)) {
      newline(1);
    } else if (level.query && LISTS.has(lower) && lower !== 'group' && lower !== 'order') {
      newline(1);
    } else if (level.query && lower === 'by' && (level.clause === 'group' || level.clause === 'order')) {
      newline(1);
    }
    prev = tok;
  }
  return out.trim() + '\n';
}

function needsSpace(prev: Token | null, tok: Token, prevIsCall: boolean): boolean {
  if (!prev) return false;
  if (prev.text === '(' || prev.text === '.' || prev.text === '::') return false;
  if (tok.text === ')' || tok.text === ',' || tok.text === '.' || tok.text === '::' || tok.text === ';') return false;
  // a function call: name(…) — but keep "IN (", "AS (", "OVER (" apart
  if (tok.text === '(' && (prevIsCall || ((prev.kind === 'word' || prev.kind === 'quoted') && !KEYWORDS.has(prev.text.toLowerCase())))) return false;
  return true;
}

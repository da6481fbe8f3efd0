// Just enough lexing of SQL text to find where the statement really starts and ends: comments,
// string literals, quoted identifiers and dollar-quoted strings are skipped, never looked into.
// DuckDB's own parser decides everything else (statement count, statement type).

/** Offsets of the significant (non-comment, non-space) stretches of the text, in order. */
function significantSpans(sql: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (ch === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else {
      const start = i;
      i = tokenEnd(sql, i);
      spans.push({ start, end: i });
    }
  }
  return spans;
}

/** The end of the token at `i`: a word or a quoted literal as a whole, otherwise one character. */
function tokenEnd(sql: string, i: number): number {
  const ch = sql[i];
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 200));
  if (word) return i + word[0].length;
  if (ch === "'" || ch === '"') return quotedEnd(sql, i, ch);
  if (ch === '$') {
    const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i));
    if (tag) {
      const close = sql.indexOf(tag[0], i + tag[0].length);
      return close < 0 ? sql.length : close + tag[0].length;
    }
  }
  return i + 1;
}

function quotedEnd(sql: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) j += 2; // a doubled quote is part of the literal
      else return j + 1;
    } else {
      j += 1;
    }
  }
  return sql.length;
}

const QUERY_STARTS = new Set(['SELECT', 'WITH', 'VALUES', 'FROM', '(']);

/**
 * The keyword that says what the statement does, upper case ('(' for a parenthesised query, ''
 * for no statement): its first word, or for `EXPLAIN [ANALYZE] [(options)] <statement>` the
 * explained statement's, since EXPLAIN ANALYZE runs it.
 */
export function statementKeyword(sql: string): string {
  const tokens = significantSpans(sql).map((span) => sql.slice(span.start, span.end).toUpperCase());
  if (tokens[0] !== 'EXPLAIN') return tokens[0] ?? '';
  let i = tokens[1] === 'ANALYZE' ? 2 : 1;
  if (tokens[i] === '(' && !QUERY_STARTS.has(tokens[i + 1])) {
    // an option list such as (ANALYZE, FORMAT json): the statement follows its closing bracket
    while (i < tokens.length && tokens[i] !== ')') i += 1;
    i += 1;
  }
  return tokens[i] ?? 'EXPLAIN';
}

/**
 * The text of a single statement without trailing semicolons and comments, so that it can be
 * wrapped as `COPY (<statement>) TO ...`.
 */
export function statementBody(sql: string): string {
  const spans = significantSpans(sql);
  while (spans.length && sql.slice(spans[spans.length - 1].start, spans[spans.length - 1].end) === ';') spans.pop();
  const last = spans[spans.length - 1];
  return last ? sql.slice(0, last.end) : '';
}

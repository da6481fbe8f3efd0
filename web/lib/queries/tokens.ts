// A small SQL tokenizer: enough to find `$name` placeholders outside strings and comments and
// to re-flow a statement in the formatter. It never decides what SQL means — DuckDB does.

export type TokenKind = 'space' | 'comment' | 'string' | 'quoted' | 'param' | 'word' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
}

const PATTERNS: [TokenKind, RegExp][] = [
  ['space', /\s+/y],
  ['comment', /--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y],
  // 'it''s' and E'…' strings; an unterminated string runs to the end
  ['string', /[eE]?'(?:[^']|'')*(?:'|$)/y],
  ['quoted', /"(?:[^"]|"")*(?:"|$)/y],
  ['param', /\$[A-Za-z_][A-Za-z0-9_]*/y],
  ['number', /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y],
  ['word', /[A-Za-z_][A-Za-z0-9_$]*/y],
  ['punct', /::|<=|>=|<>|!=|\|\||->>|->|[^\sA-Za-z0-9_]/y],
];

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < sql.length) {
    for (const [kind, re] of PATTERNS) {
      re.lastIndex = at;
      const m = re.exec(sql);
      if (m && m[0].length > 0) {
        tokens.push({ kind, text: m[0] });
        at += m[0].length;
        break;
      }
    }
  }
  return tokens;
}

/** The distinct `$name` placeholders of a statement, in order of first use (lower-case names only, as the contract allows). */
export function placeholders(sql: string): string[] {
  const names = tokenize(sql)
    .filter((t) => t.kind === 'param')
    .map((t) => t.text.slice(1));
  return [...new Set(names)];
}

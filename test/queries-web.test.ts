// The workbench's own text helpers (web/lib/queries): the formatter changes only layout and
// keyword case, never what a statement means; placeholders are found only outside strings and
// comments; the line diff turns one version into the other.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineDiff } from '../web/lib/queries/diff.ts';
import { formatSql } from '../web/lib/queries/format.ts';
import { declarationsFor, valuesFor } from '../web/lib/queries/params.ts';
import { placeholders, tokenize } from '../web/lib/queries/tokens.ts';

/** What a statement says: its tokens without spaces, words compared case-insensitively (strings and quoted names exactly). */
const meaning = (sql: string) => tokenize(sql).filter((t) => t.kind !== 'space').map((t) => (t.kind === 'word' ? t.text.toLowerCase() : t.text));

const QUERIES = [
  "select platform_id, sum(paid_amount) as gmv from orders o left join platforms p on p.platform_id = o.platform_id where ordered_at >= $from and status <> 'it''s -- not a comment' group by all order by gmv desc limit 10",
  'with m as (select date_trunc(\'month\', ordered_at) as month, count(*) n from orders group by 1) select * from m where n > (select avg(n) from m)',
  'select range as n, range*2 as m from range(100000)',
  'select "First Name", sum(x) over (partition by y order by z rows between unbounded preceding and current row) from t -- trailing note\nwhere a in (1, 2) or b is null',
  'SUMMARIZE orders',
];

describe('workbench text helpers', () => {
  it('formats without changing any token but the case of keywords, and formatting twice changes nothing', () => {
    for (const sql of QUERIES) {
      const formatted = formatSql(sql);
      expect(meaning(formatted)).toEqual(meaning(sql));
      expect(formatSql(formatted)).toBe(formatted);
    }
    // words often used as column names keep their case: the result's column names stay the same
    expect(formatSql('select range from range(3)')).toBe('SELECT\n  range\nFROM range(3)\n');
  });

  it('finds $name placeholders outside strings, quoted names and comments, each once', () => {
    expect(placeholders("select $a, '$b', \"$c\", $a -- $d\n /* $e */ from t where x = $f_1")).toEqual(['a', 'f_1']);
  });

  it('declares new placeholders as text, keeps earlier declarations, and sends typed numbers as numbers', () => {
    const params = declarationsFor('select $from, $n', [{ name: 'n', type: 'number', default: 5 }, { name: 'gone', type: 'date', default: null }]);
    expect(params).toEqual([{ name: 'from', type: 'text', default: null }, { name: 'n', type: 'number', default: 5 }]);
    expect(valuesFor(params, { from: "'; DROP TABLE orders; --", n: '12.5' })).toEqual({ from: "'; DROP TABLE orders; --", n: 12.5 });
    expect(valuesFor(params, { from: '', n: '' })).toEqual({});
  });

  it('diffs lines so that the kept and deleted lines give the old text and the kept and added ones the new', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 12 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const diff = lineDiff(a.join('\n'), b.join('\n'));
        expect(diff.filter((l) => l.op !== 'add').map((l) => l.text).join('\n')).toBe(a.join('\n'));
        expect(diff.filter((l) => l.op !== 'del').map((l) => l.text).join('\n')).toBe(b.join('\n'));
      }),
    );
    expect(lineDiff('a\nb\nc', 'a\nc\nd').map((l) => `${l.op}:${l.text}`)).toEqual(['same:a', 'del:b', 'same:c', 'add:d']);
  });
});

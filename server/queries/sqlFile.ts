// The `.sql` file format of saved queries (README.md "File format"): a header block of
// `-- @key: value` lines, a blank line, then the SQL. Shipped queries (queries/*.sql), export and
// import all use it; format(parse(x)) and parse(format(x)) give back what they were given.
import { ChartSpec, QueryParam, SavedQueryInput, VISIBILITIES, type Visibility } from './contract.ts';

/** A file that cannot be read as a saved query; `line` is 1-based. */
export class SqlFileError extends Error {
  constructor(readonly line: number, detail: string) {
    super(`line ${line}: ${detail}`);
  }
}

const HEADER_LINE = /^-- @([A-Za-z]+):(.*)$/;
const KEYS = ['name', 'description', 'tags', 'visibility', 'param', 'chart'] as const;
type Key = (typeof KEYS)[number];
/** keys that may appear more than once */
const REPEATABLE: readonly Key[] = ['description', 'param'];

/** The first issue of a zod result, as 'field: message'. */
function issueText(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue.path.length ? `'${issue.path.join('.')}': ${issue.message}` : issue.message;
}

function parseJson(line: number, key: Key, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new SqlFileError(line, `@${key} is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** A header value: the text after the colon, without the one space the format writes there. */
const valueOf = (raw: string): string => (raw.startsWith(' ') ? raw.slice(1) : raw);

export function parse(text: string): SavedQueryInput {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const seen = new Set<Key>();
  const description: string[] = [];
  const params: QueryParam[] = [];
  const draft: { name?: string; tags: string[]; visibility: Visibility; chart: ChartSpec | null } = { tags: [], visibility: 'private', chart: null };
  let i = 0;
  for (; i < lines.length; i++) {
    const match = HEADER_LINE.exec(lines[i]);
    if (!match) break;
    const line = i + 1;
    const key = match[1] as Key;
    const value = valueOf(match[2]);
    if (!KEYS.includes(key)) throw new SqlFileError(line, `unknown header key '@${match[1]}' (known: ${KEYS.map((k) => `@${k}`).join(', ')})`);
    if (seen.has(key) && !REPEATABLE.includes(key)) throw new SqlFileError(line, `@${key} is given twice`);
    seen.add(key);
    if (key === 'name') draft.name = value;
    else if (key === 'description') description.push(value);
    else if (key === 'tags') draft.tags = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
    else if (key === 'visibility') {
      if (!(VISIBILITIES as readonly string[]).includes(value)) throw new SqlFileError(line, `@visibility is '${value}'; expected ${VISIBILITIES.join(' or ')}`);
      draft.visibility = value as Visibility;
    } else {
      const schema = key === 'param' ? QueryParam : ChartSpec;
      const result = schema.safeParse(parseJson(line, key, value));
      if (!result.success) throw new SqlFileError(line, `@${key} ${issueText(result.error)}`);
      if (key === 'param') params.push(result.data as QueryParam);
      else draft.chart = result.data as ChartSpec;
    }
  }
  if (draft.name === undefined) throw new SqlFileError(1, "the header has no '-- @name: …' line (the file starts with the header block)");
  // the one blank line separating the header from the SQL belongs to the format
  const sqlStart = i < lines.length && lines[i] === '' ? i + 1 : i;
  const sql = lines.slice(sqlStart).join('\n');
  if (sql.trim() === '') throw new SqlFileError(sqlStart + 1, 'no SQL after the header block');
  const result = SavedQueryInput.safeParse({ name: draft.name, description: description.join('\n'), tags: draft.tags, visibility: draft.visibility, sql, params, chart: draft.chart });
  if (!result.success) throw new SqlFileError(1, `the header's ${issueText(result.error)}`);
  return result.data;
}

/** What the format cannot hold, by field: header lines cannot hold a line break, and tags are separated by commas. */
export function formatProblem(input: SavedQueryInput): { field: 'name' | 'tags'; message: string } | undefined {
  if (/[\r\n]/.test(input.name)) return { field: 'name', message: 'a name cannot span lines' };
  const tag = input.tags.find((t) => t.includes(','));
  if (tag !== undefined) return { field: 'tags', message: `a tag cannot contain a comma ('${tag}')` };
  return undefined;
}

export function format(input: SavedQueryInput): string {
  const problem = formatProblem(input);
  if (problem) throw new Error(problem.message);
  const header = [`-- @name: ${input.name}`];
  if (input.description !== '') header.push(...input.description.split('\n').map((l) => `-- @description: ${l}`));
  if (input.tags.length) header.push(`-- @tags: ${input.tags.join(', ')}`);
  header.push(`-- @visibility: ${input.visibility}`);
  header.push(...input.params.map((p) => `-- @param: ${JSON.stringify(p)}`));
  if (input.chart) header.push(`-- @chart: ${JSON.stringify(input.chart)}`);
  return `${header.join('\n')}\n\n${input.sql}`;
}

/** A file name for a query's name: its ASCII words in lower case joined by '_' (`fallback` when it has none). */
export function slug(name: string, fallback: string): string {
  return name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || fallback;
}

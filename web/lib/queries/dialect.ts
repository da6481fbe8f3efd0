// DuckDB for the editor: lang-sql has no DuckDB dialect, so PostgreSQL's (the closest) is
// extended with DuckDB's own keywords, types and the functions analysts use most, and `$`
// starts a parameter.
import { PostgreSQL, SQLDialect } from '@codemirror/lang-sql';

const KEYWORDS =
  'summarize describe explain pivot unpivot qualify asof positional anti semi exclude replace columns struct map list ' +
  'ilike glob similar using sample tablesample window filter over partition range groups preceding following unbounded nulls';

const TYPES = 'tinyint smallint integer bigint hugeint utinyint usmallint uinteger ubigint uhugeint varchar blob uuid json timestamptz';

const FUNCTIONS =
  'count sum avg mean min max median mode quantile_cont quantile_disc stddev stddev_samp variance arg_max arg_min any_value ' +
  'approx_count_distinct approx_quantile string_agg list histogram first last bool_and bool_or count_if sum_no_overflow ' +
  'date_trunc date_part date_diff date_sub date_add datediff datepart strftime strptime make_date make_timestamp epoch epoch_ms ' +
  'current_date now today year month day week quarter dayofweek last_day age to_timestamp time_bucket ' +
  'coalesce ifnull nullif greatest least round floor ceil abs ln log log10 sqrt power pow exp sign trunc ' +
  'lower upper length concat concat_ws substr substring left right trim ltrim rtrim replace split_part string_split ' +
  'starts_with ends_with contains position strpos regexp_matches regexp_replace regexp_extract lpad rpad reverse repeat md5 hash ' +
  'list_value list_aggregate list_sort list_distinct list_contains array_length unnest range generate_series struct_pack ' +
  'row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value ' +
  'cast try_cast typeof format printf';

export const DuckDB = SQLDialect.define({
  ...PostgreSQL.spec,
  keywords: `${PostgreSQL.spec.keywords ?? ''} ${KEYWORDS}`,
  types: `${PostgreSQL.spec.types ?? ''} ${TYPES}`,
  builtin: `${PostgreSQL.spec.builtin ?? ''} ${FUNCTIONS}`,
  specialVar: '$',
  doubleDollarQuotedStrings: false,
});

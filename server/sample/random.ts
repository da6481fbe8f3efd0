// Pseudo-randomness inside DuckDB. Every draw is a hash of (the key of what it describes, a salt,
// the seed), so a value never depends on evaluation order or thread scheduling: the same seed
// gives the same data however DuckDB parallelises the work.

/** 2^53: the top 53 bits of a hash divided by this is a double uniform in [0, 1), never 1. */
const TWO_POW_53 = '9007199254740992.0';

export function randomMacros(seed: number): string[] {
  const s = `${seed}::UBIGINT`;
  return [
    `CREATE OR REPLACE MACRO rnd(k, salt) AS (hash(k, salt, ${s}) >> 11) / ${TWO_POW_53}`,
    `CREATE OR REPLACE MACRO rnd2(k1, k2, salt) AS (hash(k1, k2, salt, ${s}) >> 11) / ${TWO_POW_53}`,
    // standard normal by Box–Muller; 1 - u keeps ln away from zero
    `CREATE OR REPLACE MACRO nrm(k, salt) AS sqrt(-2 * ln(1 - rnd(k, salt || ':r'))) * cos(2 * pi() * rnd(k, salt || ':t'))`,
    // whole seconds, so that CSV timestamps without fractions lose nothing
    `CREATE OR REPLACE MACRO secs(x) AS to_seconds(floor(x)::BIGINT)`,
  ];
}

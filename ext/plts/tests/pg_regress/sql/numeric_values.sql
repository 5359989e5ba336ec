-- numeric arguments and query results arrive as strings with exactly numeric_out's text: plts reads
-- the common values from their digits and leaves NaN, infinities and toasted values to numeric_out.
CREATE FUNCTION numeric_as_js(n numeric) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, n: string): string => n;
$$;
CREATE TABLE nums (label text, n numeric);
INSERT INTO nums VALUES
  ('zero', 0), ('zero with scale', 0.000), ('negative fraction', -0.5), ('trailing zeros', 1.500),
  ('one NBASE digit', 10000), ('trailing zero digit', 99990000), ('long', 123456789.987654321),
  ('small', 0.00001), ('tiny', 1e-20), ('big', 1e30), ('nan', 'NaN'), ('infinity', 'Infinity'),
  ('minus infinity', '-Infinity'), ('minus one', -1), ('nines', 9999.9999), ('short weight limit', 1e252),
  ('long weight', 1e300), ('long negative weight', -1e-300), ('dscale over 63', round(1 / 3::numeric, 70)),
  ('negative long', -123456789012345678901234567890.123456789);
SELECT label, numeric_as_js(n) AS js, numeric_as_js(n) = n::text AS same_as_numeric_out FROM nums
WHERE label NOT IN ('long weight', 'long negative weight', 'dscale over 63', 'short weight limit') ORDER BY label;
SELECT label, numeric_as_js(n) = n::text AS same_as_numeric_out, length(numeric_as_js(n)) AS length FROM nums
WHERE label IN ('long weight', 'long negative weight', 'dscale over 63', 'short weight limit') ORDER BY label;
-- thousands of scales and magnitudes
INSERT INTO nums SELECT 'scaled', round((g * 7.31 - 5000)::numeric, g % 9) FROM generate_series(1, 3000) g;
INSERT INTO nums SELECT 'powers', (-1) ^ g * (7::numeric ^ g) / (10::numeric ^ (g % 40)) FROM generate_series(1, 120) g;
SELECT count(*) AS numerics, count(*) FILTER (WHERE numeric_as_js(n) IS DISTINCT FROM n::text) AS differ FROM nums;
-- query results take the same path
CREATE FUNCTION numeric_rows_differ() RETURNS int LANGUAGE plts AS $$
export default (ctx: any): number =>
  ctx.db.query("SELECT n, n::text AS t FROM nums").filter((r: any) => r.n !== r.t).length;
$$;
SELECT numeric_rows_differ();
-- a stored value too big to stay inline is toasted: numeric_out reads it
CREATE TABLE big_nums (n numeric);
ALTER TABLE big_nums ALTER COLUMN n SET STORAGE EXTERNAL;
INSERT INTO big_nums SELECT (repeat('9', 5000) || '.' || repeat('1', 3000))::numeric;
CREATE FUNCTION big_numeric_matches() RETURNS bool LANGUAGE plts AS $$
export default (ctx: any): boolean => {
  const [row] = ctx.db.query("SELECT n, n::text AS t FROM big_nums");
  return row.n === row.t && row.n.length === 8001;
};
$$;
SELECT big_numeric_matches();
-- the other way: a JS string or number becomes a numeric (result or parameter) with numeric_in's value
-- and scale. Plain decimals of up to 15 digits skip numeric_in; everything else goes through it.
CREATE FUNCTION js_to_numeric(t text) RETURNS numeric LANGUAGE plts AS $$
export default (_ctx: unknown, t: string): string => t;
$$;
CREATE TABLE decimal_texts (t text);
INSERT INTO decimal_texts VALUES
  ('0'), ('-0'), ('-0.00'), ('007'), ('007.50'), ('1.'), ('.5'), ('+5'), (' 5'), ('5 '), ('1e5'), ('-1.5E-3'),
  ('NaN'), ('Infinity'), ('-Infinity'), ('999999999999999'), ('-999999999999999'), ('9999999999999999'),
  ('0.00000000000001'), ('0.000000000000001'), ('123456789.123456'), ('12345678901234.5'), ('0.1'), ('-0.0001');
INSERT INTO decimal_texts SELECT round((g * 7.31 - 5000)::numeric, g % 9)::text FROM generate_series(1, 3000) g;
INSERT INTO decimal_texts SELECT ((-1) ^ g * (7::numeric ^ (g % 30)) / (10::numeric ^ (g % 17)))::text
FROM generate_series(1, 600) g;
SELECT count(*) AS texts, count(*) FILTER (WHERE js_to_numeric(t)::text IS DISTINCT FROM t::numeric::text) AS differ
FROM decimal_texts;
SELECT t, js_to_numeric(t) FROM decimal_texts WHERE t IN ('-0.00', '007.50', '1.', '.5', ' 5', '1e5', 'NaN') ORDER BY t;
-- text that is not a number is numeric_in's error
\set VERBOSITY terse
SELECT js_to_numeric('12abc');
\set VERBOSITY default
-- numbers: the numeric of JS's own text for the number (String(n)), for results and parameters
CREATE FUNCTION numbers_differ() RETURNS int LANGUAGE plts AS $$
export default (ctx: any): number => {
  const numbers = [0, -0, 0.1, 0.2, 0.1 + 0.2, 1 / 3, 2.675, 1e-7, 123.456, 1e21, 2 ** 53, 2 ** 60, -1.5e-10, 5e-324];
  let seed = 7;
  for (let i = 0; i < 3000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    numbers.push((seed % 2000000 - 1000000) / 10 ** (i % 8), seed / 7, -seed * 1000.5);
  }
  const [row] = ctx.db.query(
    "SELECT count(*)::int AS differ FROM unnest($1::numeric[], $2::text[]) AS u(n, t) WHERE n::text IS DISTINCT FROM t::numeric::text",
    [numbers, numbers.map(String)],
  );
  return row.differ;
};
$$;
SELECT numbers_differ();
CREATE FUNCTION number_to_numeric(x float8) RETURNS numeric LANGUAGE plts AS $$
export default (_ctx: unknown, x: number): number => x;
$$;
CREATE FUNCTION number_text(x float8) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, x: number): string => String(x);
$$;
SELECT count(*) AS numbers, count(*) FILTER (WHERE number_to_numeric(x)::text IS DISTINCT FROM number_text(x)::numeric::text) AS differ
FROM (SELECT (g * 0.37 - 400)::float8 AS x FROM generate_series(1, 3000) g
      UNION ALL SELECT 1.0 / g FROM generate_series(1, 500) g
      UNION ALL SELECT g * 1.05 FROM generate_series(1, 500) g) AS xs;

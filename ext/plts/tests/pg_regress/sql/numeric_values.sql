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

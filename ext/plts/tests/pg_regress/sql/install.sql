-- CREATE EXTENSION plts (run by the suite setup) creates the schema, the artifact catalog and a trusted language.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
SELECT plts.version() ~ '^\d+\.\d+\.\d+$' AS version_ok;
SELECT lanname, lanpltrusted, lanplcallfoid::regproc, laninline::regproc, lanvalidator::regproc
FROM pg_language WHERE lanname = 'plts';
SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull
FROM pg_attribute WHERE attrelid = 'plts.artifact'::regclass AND attnum > 0 ORDER BY attnum;

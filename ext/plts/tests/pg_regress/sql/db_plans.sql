-- Prepared plans are reused per backend and stay correct when tables change.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE TABLE shapes (id int);
INSERT INTO shapes VALUES (1);
CREATE FUNCTION shape() RETURNS jsonb LANGUAGE plts AS $$ export default (ctx: any) => ctx.db.query("SELECT * FROM shapes")[0] $$;
SELECT shape();
ALTER TABLE shapes ADD COLUMN name text DEFAULT 'circle';
SELECT shape();
DROP TABLE shapes;
SELECT shape();
CREATE TABLE shapes (id text);
INSERT INTO shapes VALUES ('new');
SELECT shape();

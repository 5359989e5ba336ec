-- STABLE and IMMUTABLE plts functions get a read-only ctx.db, enforced by PostgreSQL (read-only SPI and a
-- read-only transaction state for the duration of the call), not by parsing SQL.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE TABLE notes (id int);
CREATE SEQUENCE note_ids;
CREATE FUNCTION writes_note() RETURNS int LANGUAGE plpgsql AS $$ BEGIN INSERT INTO notes VALUES (1); RETURN 1; END $$;
CREATE FUNCTION plts_writer() RETURNS int LANGUAGE plts AS $$ export default (ctx: any) => ctx.db.exec("INSERT INTO notes VALUES (2)").rowCount $$;
CREATE FUNCTION try_in_stable(sql text) RETURNS text LANGUAGE plts STABLE AS $$
export default (ctx: any, sql: string) => {
  try { ctx.db.query(sql); return "allowed"; } catch (e: any) { return `${e.code}: ${e.message}`; }
};
$$;
SELECT sql, try_in_stable(sql) FROM (VALUES
  ('INSERT INTO notes VALUES (1)'), ('UPDATE notes SET id = 2'), ('DELETE FROM notes'),
  ('MERGE INTO notes USING (SELECT 1 AS id) s ON notes.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id)'),
  ('CREATE TABLE sneaky (a int)'), ('WITH d AS (DELETE FROM notes RETURNING 1) SELECT * FROM d'),
  ('SELECT nextval(''note_ids'')'), ('SELECT writes_note()'), ('SELECT plts_writer()'),
  ('COPY notes FROM PROGRAM ''true'''), ('SET work_mem = ''8MB'''), ('RESET work_mem'), ('LOCK TABLE notes'),
  ('NOTIFY some_channel'), ('SELECT count(*) FROM notes')) AS t(sql);
SELECT count(*) AS notes_written FROM notes;
-- the read-only state ends with the call: the next statement in the same transaction can write
BEGIN;
SELECT try_in_stable('SELECT 1');
SELECT current_setting('transaction_read_only') AS read_only_after_call;
INSERT INTO notes VALUES (10);
ROLLBACK;
-- ... also after the call failed and the caller caught the error
BEGIN;
DO $$ BEGIN PERFORM try_in_stable(NULL); EXCEPTION WHEN others THEN NULL; END $$;
INSERT INTO notes VALUES (11);
ROLLBACK;
-- a VOLATILE function writes
SELECT plts_writer();

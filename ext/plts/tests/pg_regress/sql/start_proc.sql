-- plts.start_proc: a plts function run once in each new JS context, before its first call. A missing one, a
-- function of another language, one the role may not execute, or one that throws gives a WARNING, and the
-- call goes on.
\set SHOW_CONTEXT never
DO $$ BEGIN CREATE ROLE sp_role_a; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE sp_role_b; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE sp_role_c; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE sp_role_d; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE FUNCTION sp_init() RETURNS void LANGUAGE plts AS $$
export default (ctx: any) => {
  (globalThis as any).started = ((globalThis as any).started ?? 0) + 1;
  (globalThis as any).greeting = `hello from ${ctx.db.query("SELECT current_user AS u")[0].u}`;
};
$$;
CREATE FUNCTION sp_greeting() RETURNS text LANGUAGE plts AS $$
export default () => `${(globalThis as any).greeting ?? "no greeting"}, started ${(globalThis as any).started ?? 0} time(s)`;
$$;
GRANT EXECUTE ON FUNCTION sp_greeting() TO PUBLIC;
-- the superuser's context is made by the first call, after the setting: it runs once
SET plts.start_proc = 'public.sp_init';
SELECT sp_greeting();
SELECT sp_greeting();
-- a DO block's own context runs it too
DO $$ export default (ctx: any) => ctx.log.info((globalThis as any).greeting) $$ LANGUAGE plts;
-- named with its argument types
SET plts.start_proc = 'public.sp_init()';
SET ROLE sp_role_a;
SELECT sp_greeting();
RESET ROLE;
-- a role that may not execute it: a WARNING, and the call goes on
REVOKE EXECUTE ON FUNCTION sp_init() FROM PUBLIC;
SET ROLE sp_role_b;
SELECT sp_greeting();
RESET ROLE;
-- no such function, and a function of another language
SET plts.start_proc = 'public.sp_missing';
SET ROLE sp_role_c;
SELECT sp_greeting();
RESET ROLE;
CREATE FUNCTION sp_sql() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
SET plts.start_proc = 'public.sp_sql';
DO $$ export default () => 1 $$ LANGUAGE plts;
-- one that throws
CREATE FUNCTION sp_throws() RETURNS void LANGUAGE plts AS $$ export default () => { throw new Error("not today"); } $$;
GRANT EXECUTE ON FUNCTION sp_throws() TO PUBLIC;
SET plts.start_proc = 'public.sp_throws';
SET ROLE sp_role_d;
SELECT sp_greeting();
RESET ROLE;
-- only a superuser sets it
RESET plts.start_proc;
SET ROLE sp_role_a;
SET plts.start_proc = 'public.sp_init';
RESET ROLE;

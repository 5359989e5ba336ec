//! In-backend tests (`cargo pgrx test`): behaviour that needs a real server, called both
//! directly and through SQL. SQL-visible scenarios live in tests/pg_regress.

#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    fn one<T: pgrx::IntoDatum + pgrx::FromDatum>(sql: &str) -> Option<T> {
        Spi::get_one::<T>(sql).expect("query runs")
    }

    #[pg_test]
    fn version_matches_the_crate() {
        assert_eq!(one::<String>("SELECT plts.version()"), Some(env!("CARGO_PKG_VERSION").to_string()));
    }

    #[pg_test]
    fn int_function_adds() {
        Spi::run("CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE plts AS $$ export default (ctx: any, a: number, b: number) => a + b $$").unwrap();
        assert_eq!(one::<i32>("SELECT add(2, 3)"), Some(5));
    }

    #[pg_test]
    fn named_arguments_are_on_ctx_args() {
        Spi::run("CREATE FUNCTION greet(who text) RETURNS text LANGUAGE plts AS $$ export default (ctx: { args: { who: string } }) => `hi ${ctx.args.who}` $$").unwrap();
        assert_eq!(one::<String>("SELECT greet('ann')"), Some("hi ann".into()));
    }

    #[pg_test]
    fn replace_function_recompiles() {
        Spi::run("CREATE FUNCTION v() RETURNS int LANGUAGE plts AS $$ export default () => 1 $$").unwrap();
        assert_eq!(one::<i32>("SELECT v()"), Some(1));
        Spi::run("CREATE OR REPLACE FUNCTION v() RETURNS int LANGUAGE plts AS $$ export default () => 2 $$").unwrap();
        assert_eq!(one::<i32>("SELECT v()"), Some(2));
    }

    #[pg_test]
    fn compile_and_store_is_idempotent() {
        let a = one::<String>("SELECT plts.compile_and_store('export default () => 1', '{}')").unwrap();
        let b = one::<String>("SELECT plts.compile_and_store('export default () => 1', '{}')").unwrap();
        assert_eq!(a, b);
        assert_eq!(one::<i64>(&format!("SELECT count(*) FROM plts.artifact WHERE artifact_hash = '{a}'")), Some(1));
    }

    #[pg_test]
    #[should_panic(expected = "line 2, column")]
    fn syntax_error_at_create_names_line_and_column() {
        Spi::run("CREATE FUNCTION bad() RETURNS int LANGUAGE plts AS $$export default () => {\n  let x: number = ;\n}$$").unwrap();
    }

    #[pg_test]
    fn ctx_db_reads_and_writes_in_the_callers_transaction() {
        Spi::run("CREATE TABLE kv (k text PRIMARY KEY, v int)").unwrap();
        Spi::run("CREATE FUNCTION put(k text, v int) RETURNS int LANGUAGE plts AS $$ export default (ctx: any, k: string, v: number) => ctx.db.exec('INSERT INTO kv VALUES ($1, $2)', [k, v]).rowCount $$").unwrap();
        assert_eq!(one::<i32>("SELECT put('a', 1)"), Some(1));
        assert_eq!(one::<i32>("SELECT v FROM kv WHERE k = 'a'"), Some(1));
    }

    #[pg_test]
    fn caught_unique_violation_lets_the_handler_continue() {
        Spi::run("CREATE TABLE u (id int PRIMARY KEY)").unwrap();
        Spi::run("CREATE FUNCTION twice() RETURNS text LANGUAGE plts AS $$ export default (ctx: any) => { ctx.db.exec('INSERT INTO u VALUES (1)'); try { ctx.db.exec('INSERT INTO u VALUES (1)'); } catch (e: any) { return e.sqlstate; } return 'no error'; } $$").unwrap();
        assert_eq!(one::<String>("SELECT twice()"), Some("23505".into()));
        assert_eq!(one::<i64>("SELECT count(*) FROM u"), Some(1));
    }
}

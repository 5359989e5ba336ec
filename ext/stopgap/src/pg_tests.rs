//! In-backend tests of core behaviours; the SQL surface is covered by the pg_regress suites.

#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    fn setup_source(schema: &str, answer: i32) {
        Spi::run(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema};
             CREATE OR REPLACE FUNCTION {schema}.answer(args jsonb) RETURNS jsonb LANGUAGE plts
             AS $$ export default () => ({{ answer: {answer} }}) $$;"
        ))
        .unwrap();
    }

    #[pg_test]
    fn version_matches_the_crate() {
        let v = Spi::get_one::<String>("SELECT stopgap.version()").unwrap();
        assert_eq!(v, Some(env!("CARGO_PKG_VERSION").to_string()));
    }

    #[pg_test]
    fn deploy_then_rollback_switches_the_live_function() {
        setup_source("pgt_src", 1);
        let first = Spi::get_one::<i64>("SELECT stopgap.deploy('pgt', 'pgt_src', 'v1')").unwrap().unwrap();
        setup_source("pgt_src", 2);
        let second = Spi::get_one::<i64>("SELECT stopgap.deploy('pgt', 'pgt_src', 'v2')").unwrap().unwrap();
        assert!(second > first);
        let live = Spi::get_one::<pgrx::JsonB>("SELECT live_pgt.answer('{}')").unwrap().unwrap();
        assert_eq!(live.0, serde_json::json!({"answer": 2}));
        let back = Spi::get_one::<i64>("SELECT stopgap.rollback('pgt')").unwrap().unwrap();
        assert_eq!(back, first);
        let live = Spi::get_one::<pgrx::JsonB>("SELECT live_pgt.answer('{}')").unwrap().unwrap();
        assert_eq!(live.0, serde_json::json!({"answer": 1}));
        let statuses = Spi::get_one::<String>(
            "SELECT string_agg(status, ',' ORDER BY id) FROM stopgap.deployment WHERE env = 'pgt'",
        )
        .unwrap();
        assert_eq!(statuses.as_deref(), Some("active,rolled_back"));
    }

    #[pg_test(error = "deployment 1 cannot go from failed to active")]
    fn invalid_transitions_are_errors() {
        crate::state::transition(1, crate::state::Status::Failed, crate::state::Status::Active);
    }
}

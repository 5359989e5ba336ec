//! stopgap: versioned deployments of plts functions — environments, live schemas of
//! pointer stubs, rollback, diff, prune, audit.
//!
//! `configure` / `deploy` / `promote` / `rollback` / `prune` change environments; `call` calls live
//! functions by name; `environment`, `live`, `state` and `failure` are their parts;
//! `security` decides who may do what. Catalogs, views, introspection and grants are SQL
//! files under `sql/`.

mod call;
mod configure;
mod deploy;
mod environment;
mod error;
mod failure;
mod gucs;
mod live;
mod promote;
mod prune;
mod rollback;
mod security;
mod state;

pgrx::pg_module_magic!(name, version);

pgrx::extension_sql_file!("../sql/roles.sql", name = "roles", bootstrap);
pgrx::extension_sql_file!("../sql/catalog.sql", name = "catalog", requires = ["roles"]);
pgrx::extension_sql_file!("../sql/introspect.sql", name = "introspect", requires = ["catalog"]);
pgrx::extension_sql_file!("../sql/grants.sql", name = "grants", finalize);

#[pgrx::pg_guard]
pub extern "C-unwind" fn _PG_init() {
    gucs::register();
}

/// The installed stopgap version (the crate version), e.g. `0.1.0`.
#[pgrx::pg_extern(immutable, parallel_safe)]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

// In-backend tests; `cargo pgrx test` enables pg_test (plain `cargo test` has no server).
#[cfg(feature = "pg_test")]
mod pg_tests;

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}

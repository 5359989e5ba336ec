//! LANGUAGE plts: TypeScript stored procedures for PostgreSQL.
//!
//! The source is transpiled in the database by deno_ast (`compiler`), stored in a
//! content-addressed catalog (`artifact`), and run in the backend by QuickJS (`engine`).
//! `handler` is the language's entry points; `datum` converts values at the boundary.

mod args_shape;
mod artifact;
mod backend;
mod compiler;
mod datum;
mod engine;
mod error;
mod ffi;
mod function;
mod gucs;
mod handler;
mod js_number;
mod json_doc;
mod jsonb;
mod numeric;
mod spi;
mod values;

pgrx::pg_module_magic!(name, version);

pgrx::extension_sql_file!("../sql/catalog.sql", name = "catalog", bootstrap);
pgrx::extension_sql_file!("../sql/language.sql", name = "language", requires = ["catalog"]);

#[pgrx::pg_guard]
pub extern "C-unwind" fn _PG_init() {
    gucs::register();
}

/// The installed plts version (the crate version), e.g. `0.1.0`.
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

//! LANGUAGE plts: TypeScript stored procedures for PostgreSQL.
//!
//! The path of one call, and the module of each step:
//!
//! 1. SQL calls the function: `handler` (call handler, DO blocks, validator); a trigger's or
//!    event trigger's call takes its `ctx.trigger` or `ctx.event`, and gives its row, through
//!    `trigger`.
//! 2. The function, compiled once per backend and version: `function`, from `artifact` (stored
//!    artifacts, and bodies transpiled by `compiler`) as a `program`.
//! 3. The call's frame — depth, read-only mode, deadline, cursors, blocks, a trigger's transition
//!    tables: `call_frame`, entered
//!    through `ctx::CallScope`.
//! 4. The engine runs it: `ctx` is the boundary (the `Engine` trait and the ctx API's natives);
//!    `engine` is QuickJS behind it.
//! 5. `ctx.db` statements: `ctx::db`, then `spi` (subtransactions, plans, execution, cursors,
//!    blocks); failures are `db_error` values.
//! 6. Values: `values` are what crosses; `datum` converts Datums (with `jsonb`, `numeric`,
//!    `json_doc`, `js_number`, `row` for composites), `engine::convert` converts JS values; `args_shape` checks a
//!    wrapper's arguments before any JS runs.
//! 7. The result becomes a Datum (`datum`, `row` for rows and OUT parameters), the rows of a set
//!    (`set`: a tuplestore filled as the handler's iterable yields), or an ERROR (`error`).
//!
//! `gucs` holds the settings, `backend` the per-backend statics, `ffi` the C functions declared by
//! hand, `pg_version` the server APIs that differ between PostgreSQL majors.

mod args_shape;
mod artifact;
mod backend;
mod call_frame;
mod compiler;
mod ctx;
mod datum;
mod db_error;
mod engine;
mod error;
mod ffi;
mod function;
mod gucs;
mod handler;
mod js_number;
mod json_doc;
mod load_check;
mod jsonb;
mod numeric;
mod pg_version;
mod program;
mod row;
mod set;
mod spi;
mod start_proc;
mod trigger;
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
#[cfg(feature = "pg_test")]
mod property_tests;

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}

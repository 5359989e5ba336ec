//! stopgap: versioned deployments of plts functions — environments, live schemas of
//! pointer stubs, rollback, diff, prune, audit.

pgrx::pg_module_magic!(name, version);

/// The installed stopgap version (the crate version), e.g. `0.1.0`.
#[pgrx::pg_extern(immutable, parallel_safe)]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[cfg(feature = "pg_test")]
#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    #[pg_test]
    fn version_matches_the_crate() {
        let v = Spi::get_one::<String>("SELECT stopgap.version()").unwrap();
        assert_eq!(v, Some(env!("CARGO_PKG_VERSION").to_string()));
    }
}

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}

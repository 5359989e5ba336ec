//! A failed SQL statement as data: what SPI caught (`spi::subxact`), what ctx.db throws into
//! JavaScript as a `PostgresError`, and what an uncaught one is raised as (`error::raise_js`).

/// A failed statement, with the fields PostgreSQL reported.
#[derive(Debug, Clone)]
pub struct DbError {
    pub sqlstate: String,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// 1-based character position in the SQL text, when PostgreSQL reported one.
    pub position: Option<i32>,
}

impl DbError {
    pub fn new(sqlstate: &str, message: impl Into<String>) -> Self {
        Self { sqlstate: sqlstate.into(), message: message.into(), detail: None, hint: None, position: None }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

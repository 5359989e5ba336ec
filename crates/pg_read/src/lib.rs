//! Reads of the extensions' own catalogs that take no transaction id, and the check for a hot
//! standby. Shared by plts (loading an artifact) and stopgap (resolving an environment on the
//! call path).
//!
//! pgrx's read helpers (`Spi::get_one_with_args`, `Spi::run_with_args`, `client.update`) call
//! `GetCurrentTransactionId()` before they run, so that later reads of the transaction are not
//! run read-only. That assigns an xid to a transaction that only reads: on a primary it costs a
//! commit record, and on a hot standby it is the ERROR "cannot assign TransactionIds during
//! recovery". The reads here run through SPI's read-write path (a fresh snapshot, as a deploy
//! that waited for a lock needs) without asking for an xid; only a statement that writes takes
//! one, as in any SQL session.

use pgrx::datum::DatumWithOid;
use pgrx::prelude::*;
use pgrx::spi::{self, SpiTupleTable};
use pgrx::PgOid;

/// Runs `sql` with `args` and hands the result to `read`. The statement sees everything
/// committed before it started, and the transaction's own earlier writes.
pub fn query<R>(
    sql: &str,
    args: &[DatumWithOid<'_>],
    read: impl FnOnce(SpiTupleTable<'_>) -> spi::Result<R>,
) -> spi::Result<R> {
    Spi::connect(|client| {
        let types: Vec<PgOid> = args.iter().map(|a| PgOid::from(a.oid())).collect();
        // A statement prepared as "mutating" runs read-write (a new snapshot per statement);
        // `select` executes it without pgrx's xid request.
        let statement = client.prepare_mut(sql, &types)?;
        read(client.select(&statement, None, args)?)
    })
}

/// The first column of the first row, or `None` when there is no row or it is NULL.
pub fn one<T: FromDatum + IntoDatum>(sql: &str, args: &[DatumWithOid<'_>]) -> spi::Result<Option<T>> {
    query(sql, args, |table| if table.is_empty() { Ok(None) } else { table.first().get_one() })
}

/// The first two columns of the first row; `(None, None)` when there is no row.
pub fn two<A: FromDatum + IntoDatum, B: FromDatum + IntoDatum>(
    sql: &str,
    args: &[DatumWithOid<'_>],
) -> spi::Result<(Option<A>, Option<B>)> {
    query(sql, args, |table| if table.is_empty() { Ok((None, None)) } else { table.first().get_two() })
}

/// True on a hot standby: the server is in recovery and every transaction is read-only.
pub fn on_standby() -> bool {
    // SAFETY: RecoveryInProgress reads shared memory state under its own lock; it may be called
    // from any backend at any time.
    unsafe { pg_sys::RecoveryInProgress() }
}

/// What a write refused on a standby says, after "<what> cannot run": where to run it instead.
pub const STANDBY_HINT: &str =
    "This server is a read-only hot standby (in recovery). Writes go to the primary: connect to it and run this there.";

//! The deployment status machine — the one place that decides which status may follow which.
//!
//! ```text
//! open ──► sealed ──► active ──► superseded ──┐
//!   │        │          ▲   └──► rolled_back ─┤  (rollback re-activates either)
//!   └────────┴─► failed └─────────────────────┘
//! ```
//! `open`: the row exists and functions are being compiled. `sealed`: every function is
//! compiled and the manifest written; the deployment can no longer change. `active`: the live
//! schema points at it. `superseded`: a newer deploy replaced it. `rolled_back`: a rollback
//! moved away from it. `failed`: the attempt failed (terminal).

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

use crate::error::raise;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    Open,
    Sealed,
    Active,
    Superseded,
    RolledBack,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Sealed => "sealed",
            Status::Active => "active",
            Status::Superseded => "superseded",
            Status::RolledBack => "rolled_back",
            Status::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        [Status::Open, Status::Sealed, Status::Active, Status::Superseded, Status::RolledBack, Status::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// Whether a deployment in status `self` may move to `to`.
    pub fn can_become(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Open, Sealed)
                | (Open, Failed)
                | (Sealed, Active)
                | (Sealed, Failed)
                | (Active, Superseded)
                | (Active, RolledBack)
                | (Superseded, Active)
                | (RolledBack, Active)
        )
    }
}

/// Moves deployment `id` from `from` to `to`; an invalid transition, or a row that is not in
/// `from` any more, is an ERROR (55000).
pub fn transition(id: i64, from: Status, to: Status) {
    if !from.can_become(to) {
        raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("deployment {id} cannot go from {} to {}", from.as_str(), to.as_str()),
            None,
            None,
        );
    }
    let moved = Spi::get_one_with_args::<i64>(
        "UPDATE stopgap.deployment SET status = $3 WHERE id = $1 AND status = $2 RETURNING id",
        &[id.into(), from.as_str().into(), to.as_str().into()],
    )
    .ok()
    .flatten();
    if moved.is_none() {
        raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("deployment {id} is not {} any more; cannot make it {}", from.as_str(), to.as_str()),
            None,
            None,
        );
    }
}

/// The status of deployment `id`.
pub fn status_of(id: i64) -> Option<Status> {
    pg_read::one::<String>("SELECT status FROM stopgap.deployment WHERE id = $1", &[id.into()])
        .ok()
        .flatten()
        .and_then(|s| Status::parse(&s))
}

#[cfg(test)]
mod unit_tests {
    use super::Status::{self, *};

    const ALL: [Status; 6] = [Open, Sealed, Active, Superseded, RolledBack, Failed];

    #[test]
    fn failed_is_terminal_and_nothing_returns_to_open() {
        for s in ALL {
            assert!(!Failed.can_become(s), "failed -> {s:?}");
            assert!(!s.can_become(Open), "{s:?} -> open");
        }
    }

    #[test]
    fn only_sealed_deployments_are_activated_first() {
        assert!(!Open.can_become(Active));
        assert!(Sealed.can_become(Active));
        assert!(Superseded.can_become(Active) && RolledBack.can_become(Active));
        assert!(!Active.can_become(Failed) && !Superseded.can_become(Failed));
    }

    #[test]
    fn names_round_trip() {
        for s in ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("live"), None);
    }
}

//! Prepared statements for ctx.db. Parameter types are inferred by the server from the SQL (like
//! the wire protocol's Parse with unspecified types, as postgres.js sends them); JS values are then
//! converted to those types. Plans are prepared once per backend per SQL text and kept in a bounded
//! cache; PostgreSQL's plan cache revalidates them when tables change.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ffi::{CStr, CString};
use std::rc::Rc;

use pgrx::pg_sys::{self, Oid};
use rustc_hash::FxHashMap;

use super::subxact::in_subtransaction;
use crate::backend::BackendLocal;
use crate::db_error::DbError;
use crate::values::Expect;

pub struct Prepared {
    pub(super) plan: pg_sys::SPIPlanPtr,
    pub param_types: Vec<Oid>,
    /// What each parameter's JS value is converted for (JSON, a row, or a value).
    pub param_expects: Vec<Expect>,
    /// Plain SELECTs may stop early at the row limit; statements with side effects must not.
    pub(super) is_select: bool,
}

impl Prepared {
    /// What parameter `i`'s JS value is converted for: JSON for json/jsonb, a row for a
    /// composite type, a value otherwise.
    pub fn param_expect(&self, i: usize) -> &Expect {
        self.param_expects.get(i).unwrap_or(&Expect::Value)
    }

    /// The error for `given` parameters where the SQL has another number of them.
    pub(super) fn check_count(&self, given: usize) -> Result<(), DbError> {
        if given == self.param_types.len() {
            return Ok(());
        }
        Err(DbError::new(
            "08P01",
            format!("the SQL uses {} parameter(s) but {} were given", self.param_types.len(), given),
        )
        .hint("Pass one value per $n placeholder."))
    }
}

const PLAN_CACHE_SIZE: usize = 256;

type PlanCache = (FxHashMap<String, Rc<Prepared>>, VecDeque<String>);

static PLANS: BackendLocal<RefCell<PlanCache>> =
    BackendLocal::new(RefCell::new((FxHashMap::with_hasher(rustc_hash::FxBuildHasher), VecDeque::new())));

/// The prepared plan for `sql`, from the per-backend cache or prepared now.
pub fn prepare(sql: &str) -> Result<Rc<Prepared>, DbError> {
    if let Some(hit) = PLANS.with(|p| p.borrow().0.get(sql).cloned()) {
        return Ok(hit);
    }
    // SAFETY: prepare_now's SPI calls run inside the subtransaction, which catches their ERRORs.
    let prepared = Rc::new(in_subtransaction(|| unsafe { prepare_now(sql) })?);
    PLANS.with(|p| {
        let (map, order) = &mut *p.borrow_mut();
        if map.len() >= PLAN_CACHE_SIZE {
            if let Some(oldest) = order.pop_front() {
                if let Some(old) = map.remove(&oldest) {
                    // Only this cache holds plans; freeing is safe once no call uses it.
                    if Rc::strong_count(&old) == 1 {
                        // SAFETY: the plan was kept by SPI_keepplan and nothing else refers to it.
                        unsafe { pg_sys::SPI_freeplan(old.plan) };
                    }
                }
            }
        }
        map.insert(sql.to_string(), prepared.clone());
        order.push_back(sql.to_string());
    });
    Ok(prepared)
}

/// # Safety
/// Must run inside [`in_subtransaction`]: PostgreSQL may raise an ERROR.
unsafe fn prepare_now(sql: &str) -> Result<Prepared, DbError> {
    let c_sql = CString::new(sql).map_err(|_| DbError::new("22021", "SQL text contains a NUL byte"))?;
    // SAFETY: the caller catches ERRORs; `c_sql` outlives every call that reads it; the plan is
    // made permanent with SPI_keepplan before SPI_finish frees SPI's memory.
    unsafe {
        let param_types = infer_param_types(&c_sql)?;
        pg_sys::SPI_connect();
        let mut types = param_types.clone();
        let plan = pg_sys::SPI_prepare(c_sql.as_ptr(), types.len() as i32, types.as_mut_ptr());
        if plan.is_null() {
            pg_sys::SPI_finish();
            return Err(DbError::new("XX000", format!("SPI_prepare failed (code {})", std::ptr::read(&raw const pg_sys::SPI_result))));
        }
        pg_sys::SPI_keepplan(plan);
        let is_select = plan_is_select(plan);
        pg_sys::SPI_finish();
        let param_expects = param_types.iter().map(|&t| crate::row::expect_for(t, 0)).collect();
        Ok(Prepared { plan, param_types, param_expects, is_select })
    }
}

/// Parses and analyses `sql` with parameters of unknown type, as the wire protocol does, and
/// returns the type the server inferred for each `$n` (text where nothing decides it).
///
/// # Safety
/// As [`prepare_now`].
unsafe fn infer_param_types(sql: &CStr) -> Result<Vec<Oid>, DbError> {
    // SAFETY: the parse tree lives in the current (scratch) memory context for this call; `types`
    // is an array of `n` OIDs palloc'd by pg_analyze_and_rewrite_varparams.
    unsafe {
        let statements = pg_sys::raw_parser(sql.as_ptr(), pg_sys::RawParseMode::RAW_PARSE_DEFAULT);
        let count = if statements.is_null() { 0 } else { (*statements).length };
        if count != 1 {
            // Several statements (or none) cannot share parameters; SPI runs them without any.
            return Ok(Vec::new());
        }
        let raw = pg_sys::list_nth(statements, 0) as *mut pg_sys::RawStmt;
        let mut types: *mut Oid = std::ptr::null_mut();
        let mut n: i32 = 0;
        pg_sys::pg_analyze_and_rewrite_varparams(raw, sql.as_ptr(), &mut types, &mut n, std::ptr::null_mut());
        Ok((0..n as usize)
            .map(|i| match *types.add(i) {
                t if t == pg_sys::InvalidOid || t == pg_sys::UNKNOWNOID => pg_sys::TEXTOID,
                t => t,
            })
            .collect())
    }
}

/// # Safety
/// `plan` must be a live SPI plan.
unsafe fn plan_is_select(plan: pg_sys::SPIPlanPtr) -> bool {
    // SAFETY: the plan's source list and its CachedPlanSource entries live as long as the plan.
    unsafe {
        let sources = pg_sys::SPI_plan_get_plan_sources(plan);
        if sources.is_null() || (*sources).length != 1 {
            return false;
        }
        let source = pg_sys::list_nth(sources, 0) as *mut pg_sys::CachedPlanSource;
        (*source).commandTag == pg_sys::CommandTag::CMDTAG_SELECT
    }
}

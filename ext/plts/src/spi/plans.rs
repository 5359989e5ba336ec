//! Prepared statements for ctx.db. Parameter types are inferred by the server from the SQL (like
//! the wire protocol's Parse with unspecified types, as postgres.js sends them); JS values are then
//! converted to those types. Plans are prepared once per backend per SQL text and kept in a bounded
//! cache; PostgreSQL's plan cache revalidates them when tables change.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ffi::CString;
use std::rc::Rc;

use pgrx::pg_guard;
use pgrx::pg_sys::{self, Oid};
use rustc_hash::FxHashMap;

use super::subxact::in_subtransaction;
use crate::backend::BackendLocal;
use crate::db_error::DbError;
use crate::values::{Expect, NaturalType};

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
/// Plans kept per SQL text for the natural types of its undetermined parameters.
const VARIANTS_PER_SQL: usize = 8;

/// The plans of one SQL text. Parameters the SQL determines have the types the server inferred;
/// the `open` ones (nothing in the SQL decides their type) take their JS values' natural types,
/// so there is one plan per combination met, found by those types.
struct Entry {
    /// The inferred types, `InvalidOid` at the open parameters.
    inferred: Box<[Oid]>,
    /// The parameters (0-based) whose types come from their values.
    open: Box<[usize]>,
    /// (natural types of the open parameters, plan); a single plan when none is open.
    plans: Vec<(Box<[NaturalType]>, Rc<Prepared>)>,
}

/// What inference finds: each parameter's type (`InvalidOid` where open), and the open ones.
type Inferred = (Box<[Oid]>, Box<[usize]>);

type PlanCache = (FxHashMap<String, Entry>, VecDeque<String>);

static PLANS: BackendLocal<RefCell<PlanCache>> =
    BackendLocal::new(RefCell::new((FxHashMap::with_hasher(rustc_hash::FxBuildHasher), VecDeque::new())));

/// The prepared plan for `sql` with `param_count` values, from the per-backend cache or prepared
/// now. `natural(i)` is the natural type of parameter `i`'s JS value, asked only for parameters
/// the SQL leaves open.
pub fn prepare(sql: &str, param_count: usize, natural: impl Fn(usize) -> NaturalType) -> Result<Rc<Prepared>, DbError> {
    // Under a trigger's transition tables, `n` in the SQL names one of them: its plans are kept
    // apart from the same text's elsewhere.
    let transition = crate::call_frame::with(|frame| frame.transition);
    let cache_key = match transition {
        // SAFETY: the frame's trigger data is the running trigger call's.
        Some(t) => std::borrow::Cow::Owned(format!("{sql}\0{}", unsafe { crate::trigger::plan_key(t.data) })),
        None => std::borrow::Cow::Borrowed(sql),
    };
    let cache_key = cache_key.as_ref();
    // The cache is not borrowed while `natural` runs: it reads JS values, and a getter may be
    // user code that runs statements of its own.
    let known = PLANS.with(|p| {
        p.borrow().0.get(cache_key).map(|entry| match entry.plans.first() {
            Some((_, plan)) if entry.open.is_empty() => Ok(plan.clone()),
            _ => Err((entry.inferred.clone(), entry.open.clone())),
        })
    });
    let (inferred, open) = match known {
        Some(Ok(plan)) => return Ok(plan),
        Some(Err(open)) => open,
        None => {
            let transition = transition.map(|t| t.data);
            // SAFETY: infer_param_types's calls run inside the subtransaction, which catches their ERRORs.
            let (inferred, open) = match in_subtransaction(|| unsafe { infer_param_types(sql, transition) }) {
                Ok(found) => found,
                Err(error) => untyped_operands(error, param_count)?,
            };
            let natural_key: Box<[NaturalType]> = open.iter().map(|&i| natural(i)).collect();
            let plan = Rc::new(prepare_typed(sql, &inferred, &open, &natural_key)?);
            insert(cache_key, Entry { inferred, open, plans: vec![(natural_key, plan.clone())] });
            return Ok(plan);
        }
    };
    let natural_key: Box<[NaturalType]> = open.iter().map(|&i| natural(i)).collect();
    let found = PLANS.with(|p| {
        let cache = p.borrow();
        let plans = cache.0.get(cache_key).map(|entry| entry.plans.as_slice()).unwrap_or_default();
        plans.iter().find(|(k, _)| *k == natural_key).map(|(_, plan)| plan.clone())
    });
    if let Some(plan) = found {
        return Ok(plan);
    }
    // A new combination of natural types for SQL seen before: no inference again.
    let plan = Rc::new(prepare_typed(sql, &inferred, &open, &natural_key)?);
    add_variant(cache_key, natural_key, plan.clone());
    Ok(plan)
}

/// After an analysis that failed for want of types (`$1 + $2`, an operator that is not unique for
/// unknown operands), every parameter is open, to be tried with its value's natural type. Any
/// other failure is the statement's error.
fn untyped_operands(error: DbError, param_count: usize) -> Result<Inferred, DbError> {
    // 42725: ambiguous function or operator; 42883: no function or operator for unknown operands.
    if param_count == 0 || !matches!(error.sqlstate.as_str(), "42725" | "42883") {
        return Err(error);
    }
    Ok((vec![pg_sys::InvalidOid; param_count].into(), (0..param_count).collect()))
}

/// Keeps a new SQL text's entry, evicting the oldest past the cache's size.
fn insert(sql: &str, entry: Entry) {
    PLANS.with(|p| {
        let (map, order) = &mut *p.borrow_mut();
        if map.len() >= PLAN_CACHE_SIZE {
            if let Some(oldest) = order.pop_front() {
                if let Some(old) = map.remove(&oldest) {
                    old.plans.into_iter().for_each(|(_, plan)| free(plan));
                }
            }
        }
        map.insert(sql.to_string(), entry);
        order.push_back(sql.to_string());
    });
}

/// Keeps another plan of a known SQL text, evicting its oldest variant past the bound.
fn add_variant(sql: &str, key: Box<[NaturalType]>, plan: Rc<Prepared>) {
    PLANS.with(|p| {
        let mut cache = p.borrow_mut();
        let Some(entry) = cache.0.get_mut(sql) else { return };
        if entry.plans.len() >= VARIANTS_PER_SQL {
            free(entry.plans.remove(0).1);
        }
        entry.plans.push((key, plan));
    });
}

/// Frees an evicted plan. Only the cache holds plans; one a running call still uses stays.
fn free(plan: Rc<Prepared>) {
    if Rc::strong_count(&plan) == 1 {
        // SAFETY: the plan was kept by SPI_keepplan and nothing else refers to it.
        unsafe { pg_sys::SPI_freeplan(plan.plan) };
    }
}

/// The OID of a natural type (text where the value says nothing, as PostgreSQL's default).
fn natural_oid(natural: NaturalType) -> Oid {
    match natural {
        NaturalType::Unknown | NaturalType::Text => pg_sys::TEXTOID,
        NaturalType::Bool => pg_sys::BOOLOID,
        NaturalType::Int4 => pg_sys::INT4OID,
        NaturalType::Int8 => pg_sys::INT8OID,
        NaturalType::Float8 => pg_sys::FLOAT8OID,
        NaturalType::Bytea => pg_sys::BYTEAOID,
        NaturalType::Timestamptz => pg_sys::TIMESTAMPTZOID,
        NaturalType::Jsonb => pg_sys::JSONBOID,
    }
}

/// Prepares `sql` with the inferred types, and the natural types `key` at the `open` parameters.
fn prepare_typed(sql: &str, inferred: &[Oid], open: &[usize], key: &[NaturalType]) -> Result<Prepared, DbError> {
    let mut types = inferred.to_vec();
    for (&i, &natural) in open.iter().zip(key) {
        types[i] = natural_oid(natural);
    }
    // SAFETY: prepare_now's SPI calls run inside the subtransaction, which catches their ERRORs.
    in_subtransaction(|| unsafe { prepare_now(sql, types) })
}

/// # Safety
/// Must run inside [`in_subtransaction`]: PostgreSQL may raise an ERROR.
unsafe fn prepare_now(sql: &str, param_types: Vec<Oid>) -> Result<Prepared, DbError> {
    let c_sql = c_text(sql)?;
    // SAFETY: the caller catches ERRORs; `c_sql` outlives every call that reads it; the plan is
    // made permanent with SPI_keepplan before SPI_finish frees SPI's memory.
    unsafe {
        pg_sys::SPI_connect();
        super::register_transition_tables();
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

fn c_text(sql: &str) -> Result<CString, DbError> {
    CString::new(sql).map_err(|_| DbError::new("22021", "SQL text contains a NUL byte"))
}

/// Where the analysis of one statement puts its parameters' types: the parser's own array (grown
/// as `$n` are met) and its length.
struct Inference {
    types: *mut *mut Oid,
    count: *mut i32,
}

/// Parses and analyses `sql` with parameters of unknown type, as the wire protocol does (with a
/// trigger's transition tables, when it has them). Returns the type the server inferred for each
/// `$n` (`InvalidOid` where nothing decides it) and those open parameters.
///
/// # Safety
/// As [`prepare_now`].
unsafe fn infer_param_types(sql: &str, transition: Option<*mut pg_sys::TriggerData>) -> Result<Inferred, DbError> {
    let c_sql = c_text(sql)?;
    // SAFETY: the parse tree and the parser's type array live in the current (scratch) memory
    // context for this call; `inference` and the places it points to outlive the analysis.
    unsafe {
        let statements = pg_sys::raw_parser(c_sql.as_ptr(), pg_sys::RawParseMode::RAW_PARSE_DEFAULT);
        let count = if statements.is_null() { 0 } else { (*statements).length };
        if count != 1 {
            // Several statements (or none) cannot share parameters; SPI runs them without any.
            return Ok((Box::new([]), Box::new([])));
        }
        let raw = pg_sys::list_nth(statements, 0) as *mut pg_sys::RawStmt;
        let (mut types, mut n): (*mut Oid, i32) = (std::ptr::null_mut(), 0);
        let mut inference = Inference { types: &mut types, count: &mut n };
        let env = transition.map_or(std::ptr::null_mut(), |data| crate::trigger::query_env(data));
        pg_sys::parse_analyze_withcb(raw, c_sql.as_ptr(), Some(setup_parser), (&raw mut inference).cast(), env);
        let mut inferred: Vec<Oid> = (0..n as usize).map(|i| *types.add(i)).collect();
        let mut open = Vec::new();
        for (i, t) in inferred.iter_mut().enumerate() {
            if *t == pg_sys::UNKNOWNOID {
                *t = pg_sys::InvalidOid;
            }
            if *t == pg_sys::InvalidOid {
                open.push(i);
            }
        }
        Ok((inferred.into(), open.into()))
    }
}

/// The parser's setup for [`infer_param_types`]: PostgreSQL's variable parameters, as
/// `parse_analyze_varparams` sets them up, except that the statement's own output columns are
/// not made text when nothing typed them: `SELECT $1` leaves `$1` open (a subquery's columns
/// still become text, as PostgreSQL makes them).
#[pg_guard]
unsafe extern "C-unwind" fn setup_parser(pstate: *mut pg_sys::ParseState, arg: *mut std::ffi::c_void) {
    // SAFETY: `arg` is the Inference that infer_param_types passed, alive during the analysis;
    // `pstate` is the parser's own state.
    unsafe {
        let inference = arg.cast::<Inference>();
        crate::ffi::setup_parse_variable_parameters(pstate, (*inference).types, (*inference).count);
        (*pstate).p_resolve_unknowns = false;
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

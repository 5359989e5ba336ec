//! Direct calls between plts functions, engine-neutral: `ctx.functions.get(signature)` gives a
//! handler another plts function as a JS function. A call goes through fmgr as an SQL call of the
//! function would (its `SECURITY DEFINER` and `SET` clauses apply, its arguments and result are
//! converted as in SQL), but nothing is parsed, planned or executed, and no SPI connection is made.
//!
//! Each call runs in a subtransaction, as a ctx.db statement does: an ERROR in the callee becomes
//! a thrown `PostgresError` that the caller may catch.

use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::rc::Rc;

use pgrx::pg_catalog::pg_proc::{PgProc, ProKind};
use pgrx::pg_sys::{self, Oid};
use rustc_hash::FxHashMap;

use crate::backend::BackendLocal;
use crate::db_error::DbError;
use crate::spi::subxact::in_subtransaction;
use crate::values::{Expect, JsOut, SqlValue};

/// A plts function ready to be called directly, valid while pg_proc is unchanged.
pub struct Target {
    oid: Oid,
    generation: u64,
    /// `public.add(integer,integer)`, for errors.
    label: String,
    arg_types: Vec<Oid>,
    arg_expects: Vec<Expect>,
    ret_type: Oid,
    strict: bool,
    /// The FmgrInfo calls go through. What fmgr and plts keep for it (`fn_extra`: the call site,
    /// `fmgr_security_definer`'s state) lives in `memory`, deleted with the target.
    flinfo: Box<pg_sys::FmgrInfo>,
    memory: pg_sys::MemoryContext,
}

impl Drop for Target {
    fn drop(&mut self) {
        // SAFETY: `memory` was made for this target alone, and no call runs through `flinfo`
        // any more (a running call holds the target).
        unsafe { pg_sys::MemoryContextDelete(self.memory) };
    }
}

impl Target {
    /// What argument `i`'s JS value is converted for (JSON, a row, or a value).
    pub fn arg_expect(&self, i: usize) -> &Expect {
        &self.arg_expects[i]
    }

    /// How many arguments a call passes.
    pub fn arity(&self) -> usize {
        self.arg_types.len()
    }
}

static TARGETS: BackendLocal<RefCell<FxHashMap<Oid, Rc<Target>>>> =
    BackendLocal::new(RefCell::new(FxHashMap::with_hasher(rustc_hash::FxBuildHasher)));

/// The plts function `signature` names: `schema.name(argtypes)` (as `regprocedure` reads it, on
/// the search path when unqualified), or a name alone when only one function has it. An error
/// for an unknown or ambiguous name, a function in another language, and one a direct call cannot
/// make (a procedure, a set-returning, trigger or polymorphic function).
pub fn resolve(signature: &str) -> Result<Oid, DbError> {
    let text = CString::new(signature)
        .map_err(|_| DbError::new("22023", "ctx.functions.get: the signature contains a NUL character"))?;
    let oid = in_subtransaction(|| {
        let input = if signature.contains('(') { pg_sys::F_REGPROCEDUREIN } else { pg_sys::F_REGPROCIN };
        // SAFETY: inside the subtransaction, which catches the ERROR of an unknown or ambiguous
        // name; the input function reads the NUL-terminated text and returns an OID by value.
        let datum = unsafe {
            pg_sys::OidInputFunctionCall(Oid::from(input), text.as_ptr().cast_mut(), pg_sys::InvalidOid, -1)
        };
        Ok(Oid::from(datum.value() as u32))
    })?;
    callable(oid).map(|()| oid)
}

/// Refuses what a direct call cannot make, saying what to do instead.
fn callable(oid: Oid) -> Result<(), DbError> {
    let proc = PgProc::new(oid).ok_or_else(|| {
        DbError::new("42883", format!("the function with OID {} does not exist: it was dropped after ctx.functions.get found it", oid.to_u32()))
            .hint("Get it again with ctx.functions.get(signature) once it is created again.")
    })?;
    let label = label(oid);
    // SAFETY: get_language_oid reads the catalog; with missing_ok it returns InvalidOid, never raises.
    let plts = unsafe { pg_sys::get_language_oid(c"plts".as_ptr(), true) };
    if proc.prolang() != plts {
        return Err(DbError::new("42809", format!("{label} is not a plts function"))
            .hint("ctx.functions calls plts functions; call other functions with ctx.db.query(\"SELECT f($1)\", [x])."));
    }
    let refuse = |what: &str, instead: &str| Err(DbError::new("42809", format!("{label} {what}")).hint(instead.to_string()));
    if proc.prokind() == ProKind::Procedure {
        return refuse("is a procedure", "Run it with ctx.db.exec(\"CALL p($1)\", [x]).");
    }
    if proc.proretset() {
        return refuse("returns a set", "Read its rows with ctx.db.query(\"SELECT * FROM f($1)\", [x]).");
    }
    let ret = proc.prorettype();
    if ret == pg_sys::TRIGGEROID || ret == pg_sys::EVENT_TRIGGEROID {
        return refuse("is a trigger function", "PostgreSQL calls trigger functions when their event fires.");
    }
    if std::iter::once(ret).chain(proc.proargtypes()).any(is_polymorphic) {
        return refuse(
            "is polymorphic: a direct call has no call site to resolve its types from",
            "Call it with ctx.db.query(\"SELECT f($1::int)\", [x]), which gives its arguments their types.",
        );
    }
    Ok(())
}

/// `anyelement`, `anyarray`, ...: a type a call site decides.
fn is_polymorphic(typ: Oid) -> bool {
    matches!(
        typ,
        pg_sys::ANYELEMENTOID
            | pg_sys::ANYARRAYOID
            | pg_sys::ANYNONARRAYOID
            | pg_sys::ANYENUMOID
            | pg_sys::ANYRANGEOID
            | pg_sys::ANYMULTIRANGEOID
            | pg_sys::ANYCOMPATIBLEOID
            | pg_sys::ANYCOMPATIBLEARRAYOID
            | pg_sys::ANYCOMPATIBLENONARRAYOID
            | pg_sys::ANYCOMPATIBLERANGEOID
            | pg_sys::ANYCOMPATIBLEMULTIRANGEOID
    )
}

/// `schema.name(argtypes)` of a function, as `regprocedure` prints it.
fn label(oid: Oid) -> String {
    // SAFETY: format_procedure takes any OID (an unknown one prints as the number) and returns
    // a palloc'd NUL-terminated string, copied out at once.
    unsafe { CStr::from_ptr(pg_sys::format_procedure(oid)).to_string_lossy().into_owned() }
}

/// The target of a direct call of `oid`, made again when pg_proc changed since it was made.
pub fn target(oid: Oid) -> Result<Rc<Target>, DbError> {
    let generation = crate::function::generation();
    if let Some(found) = TARGETS.with(|t| t.borrow().get(&oid).cloned()).filter(|t| t.generation == generation) {
        return Ok(found);
    }
    let made = Rc::new(in_subtransaction(|| {
        callable(oid)?;
        // SAFETY: inside the subtransaction, which catches the ERROR of a function dropped since.
        Ok(unsafe { make_target(oid, generation) })
    })?);
    TARGETS.with(|t| t.borrow_mut().insert(oid, made.clone()));
    Ok(made)
}

/// # Safety
/// Must run inside a subtransaction: the catalog lookups raise for a function that is gone.
unsafe fn make_target(oid: Oid, generation: u64) -> Target {
    let proc = PgProc::new(oid).expect("callable() found the row");
    let arg_types = proc.proargtypes();
    // SAFETY: a child of TopMemoryContext lives until the target deletes it; the FmgrInfo is
    // boxed, so fn_extra's pointers into `memory` stay with it.
    unsafe {
        let memory = pg_sys::AllocSetContextCreateInternal(
            pg_sys::TopMemoryContext,
            c"plts direct call".as_ptr(),
            pg_sys::ALLOCSET_SMALL_MINSIZE as usize,
            pg_sys::ALLOCSET_SMALL_INITSIZE as usize,
            pg_sys::ALLOCSET_SMALL_MAXSIZE as usize,
        );
        let mut flinfo = Box::new(std::mem::zeroed::<pg_sys::FmgrInfo>());
        pg_sys::fmgr_info_cxt(oid, &mut *flinfo, memory);
        Target {
            oid,
            generation,
            label: label(oid),
            arg_expects: arg_types.iter().map(|&t| crate::row::expect_for(t, 0)).collect(),
            arg_types,
            ret_type: proc.prorettype(),
            strict: proc.proisstrict(),
            flinfo,
            memory,
        }
    }
}

/// The error for a call with the wrong number of arguments.
pub fn wrong_arity(target: &Target, given: usize) -> DbError {
    DbError::new("22023", format!("{} takes {} argument{}, got {given}", target.label, target.arity(), if target.arity() == 1 { "" } else { "s" }))
        .hint("A direct call passes every argument; a parameter's DEFAULT applies only in SQL.")
}

/// Calls `target` with `args` (one per argument, converted for [`Target::arg_expect`]) as the
/// calling role, and returns its result.
pub fn call(target: &Target, args: &[JsOut]) -> Result<SqlValue, DbError> {
    if args.len() != target.arity() {
        return Err(wrong_arity(target, args.len()));
    }
    in_subtransaction(|| {
        if !crate::pg_version::may_execute(target.oid, crate::ffi::GetUserId()) {
            return Err(DbError::new("42501", format!("permission denied for function {}", target.label))
                .hint("The calling role needs EXECUTE on the function, as for a call through SQL."));
        }
        let mut datums = Vec::with_capacity(args.len());
        for (i, (value, &typ)) in args.iter().zip(&target.arg_types).enumerate() {
            let datum = crate::datum::from_js_out(value, typ).map_err(|m| {
                DbError::new("42804", format!("argument {} of {} expects {}, got {}{}", i + 1, target.label, m.expected, m.got, m.place()))
            })?;
            datums.push(datum);
        }
        if target.strict && datums.iter().any(Option::is_none) {
            return Ok(SqlValue::Null);
        }
        // SAFETY: inside the subtransaction, which catches the callee's ERRORs.
        Ok(unsafe { invoke(target, &datums) })
    })
}

/// # Safety
/// Must run inside a subtransaction: the callee may raise.
unsafe fn invoke(target: &Target, datums: &[Option<pg_sys::Datum>]) -> SqlValue {
    let flinfo = std::ptr::from_ref(&*target.flinfo).cast_mut();
    // SAFETY: the FunctionCallInfo is palloc'd in the statement's scratch memory with room for
    // every argument (SizeForFunctionCallInfo), filled in as InitFunctionCallInfoData does, and
    // outlives the call; the FmgrInfo is the target's, made by fmgr_info_cxt for this function.
    // The callee is called through pgrx's guard, which turns its ERROR into a panic that the
    // subtransaction catches. The result is converted before the scratch memory is reset.
    unsafe {
        let size = std::mem::size_of::<pg_sys::FunctionCallInfoBaseData>()
            + datums.len() * std::mem::size_of::<pg_sys::NullableDatum>();
        let fcinfo = pg_sys::palloc0(size) as pg_sys::FunctionCallInfo;
        (*fcinfo).flinfo = flinfo;
        (*fcinfo).nargs = datums.len() as i16;
        (*fcinfo).fncollation = pg_sys::InvalidOid;
        let args = (*fcinfo).args.as_mut_slice(datums.len());
        for (slot, datum) in args.iter_mut().zip(datums) {
            slot.value = datum.unwrap_or(pg_sys::Datum::from(0));
            slot.isnull = datum.is_none();
        }
        let function = (*flinfo).fn_addr.expect("fmgr_info sets fn_addr");
        let result = pg_sys::ffi::pg_guard_ffi_boundary(|| function(fcinfo));
        crate::datum::to_sql_value(result, (*fcinfo).isnull, target.ret_type)
    }
}

//! What the handler needs to know about a plts function, compiled once per backend per
//! function version. A version is the pg_proc row's (xmin, ctid): `CREATE OR REPLACE
//! FUNCTION` writes a new row, so the cached entry stops matching (as PL/pgSQL checks).
//!
//! A call site (`flinfo->fn_extra`) also remembers its function, valid until anything in
//! pg_proc changes: then PostgreSQL's invalidation callback bumps a generation counter, and the
//! next call looks the function up again. Repeated calls skip the catalog lookup.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

use rustc_hash::FxHashMap;
use std::ffi::CStr;
use std::rc::Rc;

use pgrx::pg_catalog::pg_proc::{PgProc, ProKind};
use pgrx::pg_sys::{self, Oid};
use pgrx::{IntoDatum, PgSqlErrorCode};

use crate::backend::BackendLocal;
use crate::ctx::Engine;
use crate::engine::Js;
use crate::program::Program;
use crate::error::raise;
use crate::row::OutRecord;
use crate::values::Expect;

pub struct FunctionInfo {
    pub oid: Oid,
    pub schema: String,
    pub name: String,
    pub arg_types: Vec<Oid>,
    pub arg_names: Vec<Option<String>>,
    pub ret_type: Oid,
    /// What the handler's result is converted for (JSON, a row, or a value).
    pub result: Expect,
    /// The result row of a function or procedure with OUT/INOUT parameters.
    pub out_record: Option<OutRecord>,
    pub is_procedure: bool,
    /// `RETURNS SETOF ...` or `RETURNS TABLE (...)`: the handler's iterable becomes the rows.
    pub returns_set: bool,
    /// The names of the output parameters (OUT, INOUT, TABLE columns), in order.
    pub out_names: Vec<String>,
    /// `(args jsonb) returns jsonb`: `ctx.args` is the decoded value itself.
    pub args_is_value: bool,
    /// STABLE and IMMUTABLE functions get a read-only ctx.db (as PL/pgSQL runs them read-only).
    pub read_only: bool,
    pub program: Program,
    /// `plts function public.add(16384)`: the CONTEXT line of errors raised during a call.
    pub context_line: std::ffi::CString,
    version: (u32, pg_sys::ItemPointerData),
}

/// The functions loaded in this backend, by OID.
static CACHE: BackendLocal<RefCell<FxHashMap<Oid, Rc<FunctionInfo>>>> =
    BackendLocal::new(RefCell::new(FxHashMap::with_hasher(rustc_hash::FxBuildHasher)));

/// Bumped by every pg_proc invalidation: call sites remembered under an older generation are stale.
static GENERATION: AtomicU64 = AtomicU64::new(0);
static CALLBACK_REGISTERED: AtomicBool = AtomicBool::new(false);

/// What a call site (`fn_extra`, in the memory context of its FmgrInfo) remembers.
struct CallSite {
    generation: u64,
    info: *const FunctionInfo,
}

/// PostgreSQL's syscache callback for pg_proc: every call site becomes stale.
///
/// # Safety
/// None beyond the callback's signature: it reads none of its arguments.
unsafe extern "C-unwind" fn proc_changed(_arg: pg_sys::Datum, _cache: std::ffi::c_int, _hash: u32) {
    GENERATION.fetch_add(1, Relaxed);
}

/// The generation of pg_proc: it changes whenever any pg_proc row does, so what was read of a
/// function under an older generation may be stale.
pub fn generation() -> u64 {
    if !CALLBACK_REGISTERED.swap(true, Relaxed) {
        // SAFETY: registers a static function for the backend's life; PostgreSQL calls it on
        // every pg_proc invalidation.
        unsafe {
            pg_sys::CacheRegisterSyscacheCallback(pg_sys::SysCacheIdentifier::PROCOID as _, Some(proc_changed), pg_sys::Datum::from(0));
        }
    }
    GENERATION.load(Relaxed)
}

/// The function being called through `flinfo`: remembered by the call site while pg_proc is
/// unchanged, else [`lookup`].
///
/// # Safety
/// `flinfo` is the FmgrInfo of a plts function call.
pub unsafe fn lookup_for_call(flinfo: *mut pg_sys::FmgrInfo) -> Rc<FunctionInfo> {
    // SAFETY: `flinfo` is a live FmgrInfo (the caller's promise), whose `fn_extra` only this
    // function sets: null, or a CallSite it wrote in `fn_mcxt`, which lives as long as `flinfo`.
    // A current site's `info` came from `Rc::as_ptr` of an Rc that CACHE still holds (below), so
    // taking one more strong reference to it is sound. The syscache callback is a static function.
    unsafe {
        let site = (*flinfo).fn_extra as *mut CallSite;
        if !site.is_null() && (*site).generation == GENERATION.load(Relaxed) {
            // CACHE holds this Rc: an entry is replaced only after its pg_proc row changed,
            // which bumped the generation first.
            Rc::increment_strong_count((*site).info);
            return Rc::from_raw((*site).info);
        }
        // Read before the lookup: an invalidation during it leaves the site stale, never wrong.
        let generation = generation();
        let info = lookup((*flinfo).fn_oid);
        let site = if site.is_null() {
            let fresh = pg_sys::MemoryContextAlloc((*flinfo).fn_mcxt, std::mem::size_of::<CallSite>()) as *mut CallSite;
            (*flinfo).fn_extra = fresh.cast();
            fresh
        } else {
            site
        };
        site.write(CallSite { generation, info: Rc::as_ptr(&info) });
        info
    }
}

/// The cached function, recompiled when its pg_proc row changed.
pub fn lookup(oid: Oid) -> Rc<FunctionInfo> {
    let version = proc_version(oid);
    if let Some(hit) = CACHE.with(|c| c.borrow().get(&oid).cloned()).filter(|f| versions_equal(f.version, version)) {
        return hit;
    }
    let info = Rc::new(load(oid, version));
    if let Some(replaced) = CACHE.with(|c| c.borrow_mut().insert(oid, info.clone())) {
        retire(&replaced.program);
    }
    Js::revive(&info.program);
    info
}

/// Lets the engine and the artifact cache free a replaced version's program, unless another
/// cached function runs the same one (functions deployed from one artifact share its module).
fn retire(program: &Program) {
    let shared = CACHE.with(|c| c.borrow().values().any(|f| f.program.module_name == program.module_name));
    if !shared {
        let from_artifact = crate::artifact::forget(&program.module_name);
        Js::forget(program, from_artifact);
    }
}

fn versions_equal(a: (u32, pg_sys::ItemPointerData), b: (u32, pg_sys::ItemPointerData)) -> bool {
    // SAFETY: ItemPointerEquals reads the two item pointers, locals that outlive the call; it
    // does not write through them (bindgen's `*mut` is the C signature's lack of const).
    a.0 == b.0 && unsafe { pg_sys::ItemPointerEquals(&a.1 as *const _ as *mut _, &b.1 as *const _ as *mut _) }
}

fn proc_version(oid: Oid) -> (u32, pg_sys::ItemPointerData) {
    // SAFETY: SearchSysCache1 takes any OID and returns null (checked) or a tuple pinned until
    // ReleaseSysCache, so its header and tid are read before the release.
    unsafe {
        let tuple = pg_sys::SearchSysCache1(pg_sys::SysCacheIdentifier::PROCOID as _, oid.into_datum().unwrap());
        if tuple.is_null() {
            raise(PgSqlErrorCode::ERRCODE_UNDEFINED_FUNCTION, format!("function {} does not exist", oid.to_u32()), None, None);
        }
        let xmin = crate::pg_version::raw_xmin((*tuple).t_data);
        let tid = (*tuple).t_self;
        pg_sys::ReleaseSysCache(tuple);
        (xmin.into(), tid)
    }
}

/// The function as a call would see it, without keeping it in the cache (`plts.check_function`
/// loads functions that are about to be dropped: a deploy's staging schema).
pub fn load_uncached(oid: Oid) -> FunctionInfo {
    load(oid, proc_version(oid))
}

fn load(oid: Oid, version: (u32, pg_sys::ItemPointerData)) -> FunctionInfo {
    let proc = PgProc::new(oid).expect("pg_proc row was just found");
    let (schema, name) = names(oid);
    let arg_types = proc.proargtypes();
    let is_procedure = proc.prokind() == ProKind::Procedure;
    let arg_names = input_names(&proc, arg_types.len());
    let ret_type = proc.prorettype();
    let returns_set = proc.proretset();
    // A set's rows are described at each call (row.rs, set.rs): a column definition list decides
    // the columns of `SETOF record`.
    // Only a record result can be one; asking PostgreSQL for the result type of a polymorphic
    // function (RETURNS anyelement) without a call to resolve it is an ERROR.
    let out_record = if returns_set || ret_type != pg_sys::RECORDOID { None } else { OutRecord::of_function(oid) };
    let result = match &out_record {
        Some(record) => record.expect(),
        None => crate::row::expect_for(ret_type, 0),
    };
    let args_is_value = arg_types == [pg_sys::JSONBOID] && ret_type == pg_sys::JSONBOID;
    let read_only = !matches!(proc.provolatile(), pgrx::pg_catalog::pg_proc::ProVolatile::Volatile);
    let source = proc.prosrc();
    let label = format!("{schema}.{name}");
    let program = crate::artifact::program_for_body(
        &source,
        // Unique per load: a replace in the same transaction keeps xmin, so xmin alone cannot name it.
        &format!("plts:{}#{}", oid.to_u32(), next_program_id()),
        &label,
        &format!("function {label}"),
    );
    let context_line = std::ffi::CString::new(format!("plts function {schema}.{name}({})", oid.to_u32()))
        .unwrap_or_default();
    FunctionInfo {
        oid,
        schema,
        name,
        arg_types,
        arg_names,
        ret_type,
        result,
        out_record,
        is_procedure,
        returns_set,
        out_names: output_names(&proc),
        args_is_value,
        read_only,
        program,
        context_line,
        version,
    }
}

/// The names of the input parameters, by their position among the inputs (`None` for unnamed
/// ones): pg_proc lists the names of OUT parameters too, among the inputs. A call passes only the
/// inputs, a procedure's as well (CALL's placeholders for OUT parameters are not passed).
fn input_names(proc: &PgProc, inputs: usize) -> Vec<Option<String>> {
    use pgrx::pg_catalog::pg_proc::ProArgMode;
    let modes = proc.proargmodes();
    let mut names: Vec<Option<String>> = proc
        .proargnames()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !matches!(modes.get(*i), Some(ProArgMode::Out | ProArgMode::Table)))
        .map(|(_, name)| name.filter(|n| !n.is_empty()))
        .collect();
    names.resize(inputs, None);
    names
}

/// The names of the output parameters (OUT, INOUT and TABLE columns), in order.
fn output_names(proc: &PgProc) -> Vec<String> {
    use pgrx::pg_catalog::pg_proc::ProArgMode;
    let modes = proc.proargmodes();
    proc.proargnames()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| matches!(modes.get(*i), Some(ProArgMode::Out | ProArgMode::InOut | ProArgMode::Table)))
        .map(|(_, name)| name.unwrap_or_default())
        .collect()
}

/// A number unique in this backend, to name each loaded program.
pub fn next_program_id() -> u64 {
    static NEXT: BackendLocal<Cell<u64>> = BackendLocal::new(Cell::new(0));
    NEXT.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

/// (schema, name) of a function.
pub fn names(oid: Oid) -> (String, String) {
    // SAFETY: the three lookups take any OID; the names come back palloc'd and NUL-terminated,
    // or null (checked), and are copied out at once.
    unsafe {
        let name = pg_sys::get_func_name(oid);
        let schema = pg_sys::get_namespace_name(pg_sys::get_func_namespace(oid));
        let text = |p: *mut std::ffi::c_char| {
            if p.is_null() { String::new() } else { CStr::from_ptr(p).to_string_lossy().into_owned() }
        };
        (text(schema), text(name))
    }
}

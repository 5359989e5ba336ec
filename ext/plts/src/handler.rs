//! The entry points of LANGUAGE plts: call handler, inline handler (DO) and validator.
//! Each is a version-1 C function declared in sql/language.sql.

use pgrx::pg_sys::{self, Datum};
use pgrx::{pg_guard, PgSqlErrorCode};

use crate::call_frame;
use crate::ctx::{CallScope, Engine, Invocation, Program};
use crate::start_proc::StartProc;
use crate::engine::Js;
use crate::error::{raise, raise_js, ErrorContext};
use crate::values::{Expect, JsOut, SqlValue};
use crate::{artifact, datum, ffi, function, gucs};

const V1: pg_sys::Pg_finfo_record = pg_sys::Pg_finfo_record { api_version: 1 };

#[unsafe(no_mangle)]
pub extern "C" fn pg_finfo_plts_call_handler() -> &'static pg_sys::Pg_finfo_record {
    &V1
}
#[unsafe(no_mangle)]
pub extern "C" fn pg_finfo_plts_inline_handler() -> &'static pg_sys::Pg_finfo_record {
    &V1
}
#[unsafe(no_mangle)]
pub extern "C" fn pg_finfo_plts_validator() -> &'static pg_sys::Pg_finfo_record {
    &V1
}

/// Arguments of calls with at most this many are converted into a stack array.
const ARGS_ON_STACK: usize = 4;


#[unsafe(no_mangle)]
#[pg_guard]
pub unsafe extern "C-unwind" fn plts_call_handler(fcinfo: pg_sys::FunctionCallInfo) -> Datum {
    // SAFETY: PostgreSQL calls the handler with a valid fcinfo whose flinfo, context and `nargs`
    // arguments are live for the call.
    unsafe {
        let info = function::lookup_for_call((*fcinfo).flinfo);
        if !(*fcinfo).context.is_null() {
            if let Some(datum) = trigger_call(fcinfo, &info) {
                return datum;
            }
            if let Some(datum) = window_call(fcinfo, &info) {
                return datum;
            }
        }
        let nargs = (*fcinfo).nargs as usize;
        let raw_args = (*fcinfo).args.as_slice(nargs);
        let arg = |i: usize| {
            let typ = resolve_type(fcinfo, info.arg_types.get(i).copied().unwrap_or(pg_sys::TEXTOID), Some(i));
            datum::to_sql_value(raw_args[i].value, raw_args[i].isnull, typ)
        };
        // A few arguments live on the stack: a heap vector per call costs more than the call's conversions.
        let (on_stack, on_heap): ([SqlValue; ARGS_ON_STACK], Vec<SqlValue>) = if nargs <= ARGS_ON_STACK {
            (std::array::from_fn(|i| if i < nargs { arg(i) } else { SqlValue::Null }), Vec::new())
        } else {
            (std::array::from_fn(|_| SqlValue::Null), (0..nargs).map(arg).collect())
        };
        let args = if nargs <= ARGS_ON_STACK { &on_stack[..nargs] } else { &on_heap[..] };
        let error_context = ErrorContext::push(&info.context_line, call_frame::depth());
        let ret_type = resolve_type(fcinfo, info.ret_type, None);
        // `RETURNS record` without OUT parameters: the call's column definition list is the row.
        let record = if ret_type == pg_sys::RECORDOID && info.out_record.is_none() && !info.returns_set {
            Some(call_record(fcinfo, &info))
        } else {
            None
        };
        let call = function_call(&info, args, record.as_ref().map_or(&info.result, |(_, expect)| expect), &[]);
        if info.returns_set {
            let program = &info.program;
            let datum = crate::set::materialize(fcinfo, &info, ret_type, |expect, rows| {
                run_in_frame(program, &Invocation { result: expect, rows: Some(rows), ..call }, info.read_only, FrameKind::default());
            });
            error_context.pop();
            return datum;
        }
        let kind = FrameKind { nonatomic: info.is_procedure && called_nonatomic(fcinfo), ..FrameKind::default() };
        let out = run_in_frame(&info.program, &call, info.read_only, kind);
        let converted = match (&info.out_record, &record) {
            (Some(record), _) => out_record(&info, record, &out),
            (None, Some(_)) if out == JsOut::Null => Ok(None),
            (None, Some((desc, _))) => crate::row::build_call_record(&out, *desc).map(Some),
            (None, None) => datum::from_js_out(&out, ret_type),
        };
        let result = converted.unwrap_or_else(|m| raise_mismatch(&info, m));
        error_context.pop();
        match result {
            Some(d) => d,
            None => {
                (*fcinfo).isnull = true;
                Datum::from(0)
            }
        }
    }
}

/// A call of `info`'s function with `args`, its result converted for `result`, and `members` on ctx
/// besides `args`; the kinds of call (set, trigger, window) change what differs.
#[inline]
fn function_call<'a>(
    info: &'a function::FunctionInfo,
    args: &'a [SqlValue],
    result: &'a Expect,
    members: &'a [(&'static str, SqlValue)],
) -> Invocation<'a> {
    Invocation {
        role: ffi::GetUserId().to_u32(),
        arg_names: &info.arg_names,
        args,
        args_is_value: info.args_is_value,
        fn_oid: info.oid.to_u32(),
        fn_schema: &info.schema,
        fn_name: &info.name,
        result,
        entry_required: true,
        ephemeral: false,
        load_only: false,
        rows: None,
        ctx_members: members,
        start: Some(&StartProc),
    }
}

/// The ERROR for a result that does not convert to the function's declared type.
#[cold]
fn raise_mismatch(info: &function::FunctionInfo, m: datum::Mismatch) -> ! {
    raise(
        PgSqlErrorCode::ERRCODE_DATATYPE_MISMATCH,
        format!("plts function {}.{} returned {}{}, which is not a valid {}", info.schema, info.name, m.got, m.place(), m.expected),
        None,
        Some(format!("Return a value of type {} (or null/undefined for SQL NULL).", m.expected)),
    )
}

/// The row a `RETURNS record` call's column definition list describes, and what the result is
/// converted for.
#[cold]
unsafe fn call_record(fcinfo: pg_sys::FunctionCallInfo, info: &function::FunctionInfo) -> (pg_sys::TupleDesc, Expect) {
    // SAFETY: `fcinfo` is the live call (the caller's promise); the descriptor lives for the call.
    unsafe {
        let desc = crate::row::call_record_desc(fcinfo, &format!("{}.{}", info.schema, info.name), &info.name);
        (desc, Expect::Row(crate::row::shape_of(desc, 0).into()))
    }
}

/// The result row of a function or procedure with output parameters.
#[cold]
fn out_record(info: &function::FunctionInfo, record: &crate::row::OutRecord, out: &JsOut) -> Result<Option<Datum>, datum::Mismatch> {
    if *out != JsOut::Null {
        return record.build(out).map(Some);
    }
    if info.is_procedure {
        let hint = match record.names().as_slice() {
            [one] => format!("Return the value of {one}."),
            names => format!("Return an object keyed by their names: {}.", names.join(", ")),
        };
        raise(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            format!("plts procedure {}.{} returned nothing, but it has output parameters", info.schema, info.name),
            None,
            Some(hint),
        );
    }
    Ok(None)
}

/// A trigger's or an event trigger's call (`None` when `fcinfo`'s context is neither): its
/// handler gets `ctx.trigger` or `ctx.event`, and no SQL arguments.
#[cold]
unsafe fn trigger_call(fcinfo: pg_sys::FunctionCallInfo, info: &function::FunctionInfo) -> Option<Datum> {
    // SAFETY: the caller's live fcinfo.
    let (member, trigger) = unsafe {
        match crate::trigger::TriggerCall::of(fcinfo) {
            Some(mut trigger) => (("trigger", std::mem::replace(&mut trigger.member, SqlValue::Null)), Some(trigger)),
            None => (("event", crate::trigger::event_of(fcinfo)?), None),
        }
    };
    let members = [member];
    let error_context = ErrorContext::push(&info.context_line, call_frame::depth());
    let result = trigger.as_ref().map_or(&Expect::Value, |t| t.expect());
    let call = Invocation { arg_names: &[], args_is_value: false, ..function_call(info, &[], result, &members) };
    let transition = trigger.as_ref().map(|t| t.transition()).filter(|data| !data.is_null()).map(|data| {
        // SAFETY: reading the backend's current memory context, the trigger call's (its data
        // lives as long).
        let memory = unsafe { pg_sys::CurrentMemoryContext };
        call_frame::Transition { data, memory }
    });
    let out = run_in_frame(&info.program, &call, info.read_only, FrameKind { transition, ..FrameKind::default() });
    let label = format!("{}.{}", info.schema, info.name);
    // SAFETY: still within the trigger's call.
    let datum = trigger.map_or(Datum::from(0), |t| unsafe { t.result(&out, &label) });
    error_context.pop();
    Some(datum)
}

/// What a kind of call adds to its frame.
#[derive(Default)]
pub(crate) struct FrameKind {
    /// A trigger's transition tables.
    transition: Option<call_frame::Transition>,
    /// A CALL or DO outside a transaction block: ctx.db may commit.
    nonatomic: bool,
    /// A WINDOW function's WindowObject.
    window: Option<call_frame::Window>,
}

/// Whether `fcinfo` is a CALL of a procedure outside a transaction block (its context says so).
///
/// # Safety
/// `fcinfo` must be a live call.
#[inline]
unsafe fn called_nonatomic(fcinfo: pg_sys::FunctionCallInfo) -> bool {
    // SAFETY: a call's context is null or a node; a CallContext says whether it is atomic.
    unsafe {
        let context = (*fcinfo).context;
        !context.is_null()
            && (*context).type_ == pg_sys::NodeTag::T_CallContext
            && !(*context.cast::<pg_sys::CallContext>()).atomic
    }
}

/// A WINDOW function's call (`None` when `fcinfo`'s context is not a WindowObject): the
/// handler gets the current row's arguments and `ctx.window`, and returns the current row's value.
#[cold]
unsafe fn window_call(fcinfo: pg_sys::FunctionCallInfo, info: &function::FunctionInfo) -> Option<Datum> {
    // SAFETY: the caller's live fcinfo; a WindowObject context is the window executor's, live for
    // the call; its arguments are read through the window API, as the executor does not set them.
    unsafe {
        let context = (*fcinfo).context;
        if (*context).type_ != pg_sys::NodeTag::T_WindowObjectData {
            return None;
        }
        // The actual types of polymorphic arguments at this call site; the frame points at them
        // while the call runs.
        let arg_types: Vec<pg_sys::Oid> =
            info.arg_types.iter().enumerate().map(|(i, &t)| resolve_type(fcinfo, t, Some(i))).collect();
        let window = call_frame::Window { object: context.cast(), arg_types: arg_types.as_slice() as *const [pg_sys::Oid] };
        let args: Vec<SqlValue> = (0..info.arg_types.len()).map(|i| crate::ctx::window::current_arg(window, i)).collect();
        let error_context = ErrorContext::push(&info.context_line, call_frame::depth());
        let ret_type = resolve_type(fcinfo, info.ret_type, None);
        let call = Invocation { args_is_value: false, ..function_call(info, &args, &info.result, &[]) };
        let out = run_in_frame(&info.program, &call, info.read_only, FrameKind { window: Some(window), ..FrameKind::default() });
        let result = datum::from_js_out(&out, ret_type).unwrap_or_else(|m| raise_mismatch(info, m));
        error_context.pop();
        Some(result.unwrap_or_else(|| {
            (*fcinfo).isnull = true;
            Datum::from(0)
        }))
    }
}

/// Runs a call in a frame of its own (call_frame.rs): a read-only call also makes the transaction
/// read-only for its duration, so that no path (nextval(), a writing function, NOTIFY) can write.
/// Cursors and transaction blocks the handler left open are closed when it ends.
pub(crate) fn run_in_frame(program: &Program, call: &Invocation<'_>, read_only: bool, kind: FrameKind) -> JsOut {
    let limits = gucs::limits();
    let entry = call_frame::Entry {
        read_only,
        limits,
        now_ms: call_frame::transaction_start_ms(),
        transition: kind.transition,
        nonatomic: kind.nonatomic,
        window: kind.window,
    };
    let scope = CallScope::enter(entry);
    let result = Js::call(program, call, &limits);
    scope.exit();
    result.unwrap_or_else(|e| raise_js(e))
}

/// The actual type of a polymorphic (`anyelement`, `anyarray`, ...) argument (`Some(i)`) or
/// result (`None`) at this call site; other types are returned as declared.
unsafe fn resolve_type(fcinfo: pg_sys::FunctionCallInfo, declared: pg_sys::Oid, arg: Option<usize>) -> pg_sys::Oid {
    let polymorphic = matches!(
        declared,
        pg_sys::ANYELEMENTOID
            | pg_sys::ANYARRAYOID
            | pg_sys::ANYNONARRAYOID
            | pg_sys::ANYENUMOID
            | pg_sys::ANYCOMPATIBLEOID
            | pg_sys::ANYCOMPATIBLEARRAYOID
            | pg_sys::ANYCOMPATIBLENONARRAYOID
    );
    if !polymorphic {
        return declared;
    }
    // SAFETY: the caller's fcinfo is live; both lookups read the call expression only.
    let actual = unsafe {
        match arg {
            Some(i) => pg_sys::get_fn_expr_argtype((*fcinfo).flinfo, i as i32),
            None => pg_sys::get_fn_expr_rettype((*fcinfo).flinfo),
        }
    };
    if actual == pg_sys::InvalidOid { declared } else { actual }
}

#[unsafe(no_mangle)]
#[pg_guard]
pub unsafe extern "C-unwind" fn plts_inline_handler(fcinfo: pg_sys::FunctionCallInfo) -> Datum {
    // SAFETY: PostgreSQL passes a DO block as one argument, an InlineCodeBlock whose source text
    // is a NUL-terminated string.
    unsafe {
        let block = (*fcinfo).args.as_slice(1)[0].value.cast_mut_ptr::<pg_sys::InlineCodeBlock>();
        let source = std::ffi::CStr::from_ptr((*block).source_text).to_string_lossy().into_owned();
        let label = "DO block";
        let program = artifact::program_for_body(&source, &format!("plts:do:{}", function::next_program_id()), label, label);
        let error_context = ErrorContext::push(c"plts DO block", call_frame::depth());
        let call = Invocation {
            role: pg_sys::GetUserId().to_u32(),
            arg_names: &[],
            args: &[],
            args_is_value: false,
            fn_oid: 0,
            fn_schema: "",
            fn_name: "",
            result: &Expect::Value,
            entry_required: false,
            ephemeral: true,
            load_only: false,
            rows: None,
            ctx_members: &[],
            start: Some(&StartProc),
        };
        run_in_frame(&program, &call, false, FrameKind { nonatomic: !(*block).atomic, ..FrameKind::default() });
        error_context.pop();
        Datum::from(0)
    }
}

#[unsafe(no_mangle)]
#[pg_guard]
pub unsafe extern "C-unwind" fn plts_validator(fcinfo: pg_sys::FunctionCallInfo) -> Datum {
    // SAFETY: PostgreSQL calls a validator with one argument, the OID of the function to check,
    // and a live flinfo.
    unsafe {
        let fn_oid = pg_sys::Oid::from((*fcinfo).args.as_slice(1)[0].value.value() as u32);
        if !pg_sys::CheckFunctionValidatorAccess((*(*fcinfo).flinfo).fn_oid, fn_oid) {
            return Datum::from(0);
        }
        let proc = pgrx::pg_catalog::pg_proc::PgProc::new(fn_oid).expect("validated function exists");
        let (schema, name) = function::names(fn_oid);
        let label = format!("{schema}.{name}");
        if pg_sys::check_function_bodies {
            artifact::validate_body(&proc.prosrc(), &label);
        }
        Datum::from(0)
    }
}

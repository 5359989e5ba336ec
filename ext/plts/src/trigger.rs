//! Triggers (`RETURNS trigger`) and event triggers (`RETURNS event_trigger`), on the Datum side.
//!
//! A trigger's handler gets `ctx.trigger`: the event, its timing and level, the trigger's name
//! and arguments, the table, and the `new` and `old` rows as objects. A BEFORE or INSTEAD OF row
//! trigger returns the row to use (`null` skips it); every other trigger's result is ignored, as
//! in PL/pgSQL. A statement trigger's transition tables (`REFERENCING NEW TABLE AS n`) are
//! visible to its ctx.db statements by their names. An event trigger's handler gets
//! `ctx.event = { event, tag }`.

use std::cell::RefCell;
use std::ffi::CStr;
use std::rc::Rc;

use pgrx::pg_sys::{self, Datum, Oid};
use pgrx::PgSqlErrorCode;
use rustc_hash::FxHashMap;

use crate::backend::BackendLocal;
use crate::error::raise;
use crate::values::{Expect, JsOut, SqlValue};

/// What every row of one trigger's firing shares: the parts of `ctx.trigger` other than `new` and
/// `old` (shared values, converted to JS once per context), and what the result is converted for.
struct Firing {
    event: &'static str,
    members: [(&'static str, Rc<SqlValue>); 6],
    expect: Expect,
    returns_row: bool,
}

/// Firings by (trigger, event, table), kept until the relcache changes: a change to a table or
/// its triggers (ALTER TABLE, CREATE TRIGGER, a rename) sends one.
type Firings = FxHashMap<(Oid, u32, Oid), Rc<Firing>>;
static FIRINGS: BackendLocal<RefCell<Option<Firings>>> = BackendLocal::new(RefCell::new(None));

/// PostgreSQL's relcache callback: every firing is described again.
///
/// # Safety
/// None beyond the callback's signature: it reads none of its arguments.
unsafe extern "C-unwind" fn relation_changed(_arg: Datum, _relid: Oid) {
    FIRINGS.with(|firings| {
        if let Ok(mut firings) = firings.try_borrow_mut() {
            firings.as_mut().map(FxHashMap::clear);
        }
    });
}

/// One call of a trigger function.
pub struct TriggerCall {
    data: *mut pg_sys::TriggerData,
    firing: Rc<Firing>,
    /// `ctx.trigger`.
    pub member: SqlValue,
}

/// The text of a C string, or "" for null.
///
/// # Safety
/// `text` must be null or a NUL-terminated string.
unsafe fn text_of(text: *const std::ffi::c_char) -> String {
    // SAFETY: the caller's promise.
    if text.is_null() { String::new() } else { unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned() }
}

/// Describes a trigger's firing.
///
/// # Safety
/// `data` must be a live TriggerData.
unsafe fn describe(data: *mut pg_sys::TriggerData) -> Firing {
    // SAFETY: the caller's promise: the relation and trigger are live for the call.
    unsafe {
        let event = (*data).tg_event;
        let relation = (*data).tg_relation;
        let trigger = (*data).tg_trigger;
        let operation = match event & pg_sys::TRIGGER_EVENT_OPMASK {
            pg_sys::TRIGGER_EVENT_INSERT => "INSERT",
            pg_sys::TRIGGER_EVENT_DELETE => "DELETE",
            pg_sys::TRIGGER_EVENT_UPDATE => "UPDATE",
            _ => "TRUNCATE",
        };
        let when = match event & pg_sys::TRIGGER_EVENT_TIMINGMASK {
            pg_sys::TRIGGER_EVENT_BEFORE => "BEFORE",
            pg_sys::TRIGGER_EVENT_INSTEAD => "INSTEAD OF",
            _ => "AFTER",
        };
        let row_level = event & pg_sys::TRIGGER_EVENT_ROW != 0;
        let class = (*relation).rd_rel;
        let table = SqlValue::Row(vec![
            ("schema".into(), SqlValue::Text(text_of(pg_sys::get_namespace_name((*class).relnamespace)))),
            ("name".into(), SqlValue::Text(text_of((*class).relname.data.as_ptr()))),
            ("oid".into(), SqlValue::Int8(i64::from((*relation).rd_id.to_u32()))),
        ]);
        let args = (0..(*trigger).tgnargs as usize).map(|i| SqlValue::Text(text_of(*(*trigger).tgargs.add(i)))).collect();
        let returns_row = row_level && when != "AFTER";
        let expect =
            if returns_row { Expect::TriggerRow(crate::row::shape_of((*relation).rd_att, 0).into()) } else { Expect::Value };
        let text = |t: &str| Rc::new(SqlValue::Text(t.into()));
        Firing {
            event: operation,
            members: [
                ("event", text(operation)),
                ("when", text(when)),
                ("level", text(if row_level { "ROW" } else { "STATEMENT" })),
                ("name", Rc::new(SqlValue::Text(text_of((*trigger).tgname)))),
                ("table", Rc::new(table)),
                ("args", Rc::new(SqlValue::Array(args))),
            ],
            expect,
            returns_row,
        }
    }
}

impl TriggerCall {
    /// The trigger call `fcinfo` makes, when its context is a trigger's.
    ///
    /// # Safety
    /// `fcinfo` must be a live call.
    pub unsafe fn of(fcinfo: pg_sys::FunctionCallInfo) -> Option<TriggerCall> {
        // SAFETY: a call's context is null or a node; a TriggerData node comes from the trigger
        // manager with its relation, trigger and (for row triggers) tuples live for the call.
        unsafe {
            let context = (*fcinfo).context;
            if context.is_null() || (*context).type_ != pg_sys::NodeTag::T_TriggerData {
                return None;
            }
            let data = context.cast::<pg_sys::TriggerData>();
            let event = (*data).tg_event & (pg_sys::TRIGGER_EVENT_OPMASK | pg_sys::TRIGGER_EVENT_ROW | pg_sys::TRIGGER_EVENT_TIMINGMASK);
            let key = ((*(*data).tg_trigger).tgoid, event, (*(*data).tg_relation).rd_id);
            let cached = FIRINGS.with(|firings| firings.borrow().as_ref().and_then(|f| f.get(&key).cloned()));
            let firing = match cached {
                Some(firing) => firing,
                None => {
                    let firing = Rc::new(describe(data));
                    FIRINGS.with(|firings| {
                        let mut firings = firings.borrow_mut();
                        let firings = firings.get_or_insert_with(|| {
                            // SAFETY: registering a static function as a relcache callback, once per backend.
                            pg_sys::CacheRegisterRelcacheCallback(Some(relation_changed), Datum::from(0));
                            FxHashMap::default()
                        });
                        firings.insert(key, firing.clone());
                    });
                    firing
                }
            };
            let desc = (*(*data).tg_relation).rd_att;
            let row = |tuple: pg_sys::HeapTuple| {
                if tuple.is_null() { SqlValue::Null } else { crate::row::tuple_to_sql_value(tuple, desc) }
            };
            let row_level = event & pg_sys::TRIGGER_EVENT_ROW != 0;
            let (new, old) = match (row_level, firing.event) {
                (false, _) => (SqlValue::Null, SqlValue::Null),
                (true, "INSERT") => (row((*data).tg_trigtuple), SqlValue::Null),
                (true, "UPDATE") => (row((*data).tg_newtuple), row((*data).tg_trigtuple)),
                (true, _) => (SqlValue::Null, row((*data).tg_trigtuple)),
            };
            let mut members: Vec<(String, SqlValue)> =
                firing.members.iter().map(|(name, value)| ((*name).to_string(), SqlValue::Shared(value.clone()))).collect();
            members.push(("new".into(), new));
            members.push(("old".into(), old));
            Some(TriggerCall { data, firing, member: SqlValue::Row(members) })
        }
    }

    /// What the handler's result is converted for.
    pub fn expect(&self) -> &Expect {
        &self.firing.expect
    }

    /// The trigger's data when it has transition tables, for its statements (null otherwise).
    pub fn transition(&self) -> *mut pg_sys::TriggerData {
        // SAFETY: `data` is the live TriggerData of this call.
        let has_tables = unsafe { !(*self.data).tg_newtable.is_null() || !(*self.data).tg_oldtable.is_null() };
        if has_tables { self.data } else { std::ptr::null_mut() }
    }

    /// What the trigger function returns to PostgreSQL: the row to use (a BEFORE or INSTEAD OF
    /// row trigger), or NULL (skip the row; every other trigger's result is ignored).
    ///
    /// # Safety
    /// Must be called within the trigger's call; the row is palloc'd in the current memory context.
    pub unsafe fn result(&self, out: &JsOut, label: &str) -> Datum {
        if !self.firing.returns_row {
            return Datum::from(0);
        }
        // SAFETY: `data` is the live TriggerData of this call, its relation open.
        unsafe {
            let is_delete = (*self.data).tg_event & pg_sys::TRIGGER_EVENT_OPMASK == pg_sys::TRIGGER_EVENT_DELETE;
            let mismatch = match out {
                JsOut::Null => return Datum::from(0),
                JsOut::Undefined => raise(
                    PgSqlErrorCode::ERRCODE_S_R_E_FUNCTION_EXECUTED_NO_RETURN_STATEMENT,
                    format!("plts trigger function {label} returned undefined"),
                    None,
                    Some(if is_delete {
                        "A row trigger on DELETE returns ctx.trigger.old to go on, or null to skip the row.".into()
                    } else {
                        "A BEFORE or INSTEAD OF row trigger returns the row to use (ctx.trigger.new, changed or not), or null to skip the row.".into()
                    }),
                ),
                // The row to delete is the old one; any object says "go on".
                JsOut::Row(_) if is_delete => return Datum::from((*self.data).tg_trigtuple),
                _ => match crate::row::trigger_tuple(out, (*(*self.data).tg_relation).rd_att) {
                    Ok(tuple) => return Datum::from(tuple),
                    Err(mismatch) => mismatch,
                },
            };
            raise(
                PgSqlErrorCode::ERRCODE_DATATYPE_MISMATCH,
                format!(
                    "plts trigger function {label} returned {}{}, which is not a valid {}",
                    mismatch.got,
                    mismatch.place(),
                    mismatch.expected
                ),
                None,
                Some("Return ctx.trigger.new (changed or not) or an object keyed by column name; a missing key is NULL.".into()),
            )
        }
    }
}

/// `ctx.event` of an event trigger's call (`{ event, tag }`), when `fcinfo` is one.
///
/// # Safety
/// `fcinfo` must be a live call.
pub unsafe fn event_of(fcinfo: pg_sys::FunctionCallInfo) -> Option<SqlValue> {
    // SAFETY: a call's context is null or a node; an EventTriggerData node names its event
    // (a C string) and command tag.
    unsafe {
        let context = (*fcinfo).context;
        if context.is_null() || (*context).type_ != pg_sys::NodeTag::T_EventTriggerData {
            return None;
        }
        let data = context.cast::<pg_sys::EventTriggerData>();
        Some(SqlValue::Row(vec![
            ("event".into(), SqlValue::Text(text_of((*data).event))),
            ("tag".into(), SqlValue::Text(text_of(pg_sys::GetCommandTagName((*data).tag)))),
        ]))
    }
}

/// The transition tables of `data` (a trigger's, with at least one) as a query environment of
/// their own, for analysing a statement outside an SPI connection (spi/plans.rs).
///
/// # Safety
/// `data` must be a live TriggerData; the environment is palloc'd in the current memory context.
pub unsafe fn query_env(data: *mut pg_sys::TriggerData) -> *mut pg_sys::QueryEnvironment {
    // SAFETY: the caller's promise; each relation is registered as SPI_register_trigger_data does.
    unsafe {
        let env = pg_sys::create_queryEnv();
        let trigger = (*data).tg_trigger;
        for (store, name) in [((*data).tg_newtable, (*trigger).tgnewtable), ((*data).tg_oldtable, (*trigger).tgoldtable)] {
            if store.is_null() || name.is_null() {
                continue;
            }
            let enr = pg_sys::palloc0(std::mem::size_of::<pg_sys::EphemeralNamedRelationData>()).cast::<pg_sys::EphemeralNamedRelationData>();
            (*enr).md.name = name;
            (*enr).md.reliddesc = (*(*data).tg_relation).rd_id;
            (*enr).md.enrtype = pg_sys::EphemeralNameRelationType::ENR_NAMED_TUPLESTORE;
            (*enr).md.enrtuples = pg_sys::tuplestore_tuple_count(store) as f64;
            (*enr).reldata = store.cast();
            pg_sys::register_ENR(env, enr);
        }
        env
    }
}

/// What tells plans of the same SQL apart under these transition tables: the table and the
/// names they are queried by.
///
/// # Safety
/// `data` must be a live TriggerData.
pub unsafe fn plan_key(data: *mut pg_sys::TriggerData) -> String {
    // SAFETY: the caller's promise.
    unsafe {
        let trigger = (*data).tg_trigger;
        format!(
            "{}:{}:{}",
            (*(*data).tg_relation).rd_id.to_u32(),
            text_of((*trigger).tgnewtable),
            text_of((*trigger).tgoldtable)
        )
    }
}

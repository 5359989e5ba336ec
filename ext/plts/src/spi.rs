//! SQL for `ctx.db`: each statement runs through SPI in an internal subtransaction of the
//! caller's transaction, so a failing statement rolls back alone and becomes a JS error
//! instead of ending the call (as PL/Python and plv8 do).
//!
//! Parameter types are inferred by the server from the SQL (like the wire protocol's
//! Parse with unspecified types, as postgres.js sends them); JS values are then converted
//! to those types. Plans are prepared once per backend per SQL text and kept in a bounded
//! cache; PostgreSQL's plan cache revalidates them when tables change.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use std::ffi::{CStr, CString};
use std::rc::Rc;

use pgrx::pg_sys::{self, Oid};

use crate::backend::BackendLocal;
use crate::datum;
use crate::values::JsOut;

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

pub struct Prepared {
    plan: pg_sys::SPIPlanPtr,
    pub param_types: Vec<Oid>,
    /// Plain SELECTs may stop early at the row limit; statements with side effects must not.
    is_select: bool,
}

/// What a statement did: the result of the caller's row reader, and the row count and command.
pub struct Executed<T> {
    pub rows: T,
    pub row_count: u64,
    pub command: &'static str,
}

/// The rows of a statement's SPI result, readable only inside the reader given to [`run`] or
/// [`fetch`]: the reader converts them where they lie, before SPI frees them, with no copy.
pub struct Rows {
    table: *mut pg_sys::SPITupleTable,
    count: usize,
}

impl Rows {
    /// SPI's result (`table` may be null: no rows).
    fn of(table: *mut pg_sys::SPITupleTable, processed: u64) -> Self {
        Rows { table, count: if table.is_null() { 0 } else { processed as usize } }
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.count
    }

    /// How many columns each row has (none for a statement that returns no rows).
    pub fn columns(&self) -> usize {
        if self.table.is_null() { 0 } else { unsafe { (*(*self.table).tupdesc).natts as usize } }
    }

    fn attribute(&self, column: usize) -> &pg_sys::FormData_pg_attribute {
        assert!(column < self.columns(), "column {column} out of range");
        unsafe {
            let desc = (*self.table).tupdesc;
            &(*desc).attrs.as_slice(column + 1)[column]
        }
    }

    /// The name of `column` (0-based).
    pub fn name(&self, column: usize) -> &CStr {
        unsafe { CStr::from_ptr(self.attribute(column).attname.data.as_ptr()) }
    }

    /// The type of `column` (0-based).
    pub fn type_oid(&self, column: usize) -> Oid {
        self.attribute(column).atttypid
    }

    /// The value of `column` in `row` (both 0-based), `None` for NULL. It lives as long as the
    /// result: convert it inside the reader.
    pub fn value(&self, row: usize, column: usize) -> Option<pg_sys::Datum> {
        assert!(row < self.count && column < self.columns(), "row {row}, column {column} out of range");
        unsafe {
            let tuple = *(*self.table).vals.add(row);
            let mut is_null = false;
            let value = pg_sys::SPI_getbinval(tuple, (*self.table).tupdesc, column as i32 + 1, &mut is_null);
            (!is_null).then_some(value)
        }
    }
}

/// How a statement may run.
#[derive(Debug, Clone, Copy)]
pub struct ExecOptions {
    pub read_only: bool,
    /// Most rows a statement may return (`plts.max_query_rows`).
    pub max_rows: u64,
}

const PLAN_CACHE_SIZE: usize = 256;

static PLANS: BackendLocal<RefCell<(FxHashMap<String, Rc<Prepared>>, VecDeque<String>)>> =
    BackendLocal::new(RefCell::new((FxHashMap::with_hasher(rustc_hash::FxBuildHasher), VecDeque::new())));
static ERROR_POSITION: BackendLocal<Cell<i32>> = BackendLocal::new(Cell::new(0));

/// Scratch memory of the statements running at each nesting level (a plts function whose
/// statement calls another plts function runs the inner one's statements a level deeper). What a
/// statement pallocs — bound parameters, parse trees, detoasted values — is freed when the
/// statement ends: in the caller's context it stayed until the whole call returned, so a loop of
/// statements with a 10 kB parameter grew the backend by 20 kB per statement.
static SCRATCH: BackendLocal<RefCell<Vec<pg_sys::MemoryContext>>> = BackendLocal::new(RefCell::new(Vec::new()));
static STATEMENT_LEVEL: BackendLocal<Cell<usize>> = BackendLocal::new(Cell::new(0));

/// The scratch context of statement level `level`, made on first use and kept for the backend.
fn scratch_context(level: usize) -> pg_sys::MemoryContext {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        while scratch.len() <= level {
            let context = unsafe {
                pg_sys::AllocSetContextCreateInternal(
                    pg_sys::TopMemoryContext,
                    c"plts statement".as_ptr(),
                    pg_sys::ALLOCSET_DEFAULT_MINSIZE as usize,
                    pg_sys::ALLOCSET_DEFAULT_INITSIZE as usize,
                    pg_sys::ALLOCSET_DEFAULT_MAXSIZE as usize,
                )
            };
            scratch.push(context);
        }
        scratch[level]
    })
}

/// Gives the statement level back when the statement ends, also when an ERROR unwinds past it.
struct StatementLevel(usize);

impl Drop for StatementLevel {
    fn drop(&mut self) {
        STATEMENT_LEVEL.with(|l| l.set(self.0));
    }
}

/// Runs `f` in an internal subtransaction: committed when `f` returns, rolled back (with the
/// error captured as a [`DbError`]) when PostgreSQL raises an ERROR inside it. `f` runs in a
/// scratch memory context that is emptied afterwards: what it returns must not point into memory
/// it palloc'd.
pub fn in_subtransaction<T>(f: impl FnOnce() -> Result<T, DbError>) -> Result<T, DbError> {
    unsafe {
        let context = pg_sys::CurrentMemoryContext;
        let owner = pg_sys::CurrentResourceOwner;
        let level = StatementLevel(STATEMENT_LEVEL.with(|l| l.replace(l.get() + 1)));
        let scratch = scratch_context(level.0);
        // Emptied before use too: a statement an ERROR unwound past (not caught below) left it.
        pg_sys::MemoryContextReset(scratch);
        pg_sys::BeginInternalSubTransaction(std::ptr::null());
        pg_sys::MemoryContextSwitchTo(scratch);
        // Records the error position: pgrx's error capture keeps SQLSTATE, message, detail and
        // hint, but not the cursor position. On the stack: it is popped before this frame ends.
        ERROR_POSITION.with(|p| p.set(0));
        let mut probe = pg_sys::ErrorContextCallback {
            previous: pg_sys::error_context_stack,
            callback: Some(record_position),
            arg: std::ptr::null_mut(),
        };
        pg_sys::error_context_stack = &raw mut probe;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        if pg_sys::error_context_stack == &raw mut probe {
            pg_sys::error_context_stack = probe.previous;
        }
        let committed = matches!(outcome, Ok(Ok(_)));
        if committed {
            pg_sys::ReleaseCurrentSubTransaction();
        } else {
            pg_sys::RollbackAndReleaseCurrentSubTransaction();
        }
        pg_sys::MemoryContextSwitchTo(context);
        pg_sys::CurrentResourceOwner = owner;
        let result = match outcome {
            Ok(result) => result,
            Err(payload) => Err(caught(payload)),
        };
        pg_sys::MemoryContextReset(scratch);
        drop(level);
        result
    }
}

/// Turns a caught panic (a PostgreSQL ERROR re-raised by pgrx, or a Rust panic) into a [`DbError`].
fn caught(payload: Box<dyn std::any::Any + Send>) -> DbError {
    use pgrx::pg_sys::panic::CaughtError;
    let position = ERROR_POSITION.with(|p| p.replace(0));
    match payload.downcast::<CaughtError>() {
        Ok(caught) => {
            let report = match *caught {
                CaughtError::PostgresError(r) | CaughtError::ErrorReport(r) => r,
                CaughtError::RustPanic { ereport, .. } => ereport,
            };
            let code = report.sql_error_code() as i32;
            let sqlstate = unsafe { CStr::from_ptr(pg_sys::unpack_sql_state(code)).to_string_lossy().into_owned() };
            DbError {
                sqlstate,
                message: report.message().to_string(),
                detail: report.detail().map(str::to_string),
                hint: report.hint().map(str::to_string),
                position: (position > 0).then_some(position),
            }
        }
        Err(other) => {
            let text = other
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| other.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "internal error".into());
            DbError::new("XX000", text)
        }
    }
}

/// The error context callback of [`in_subtransaction`]: it only records the error position.
unsafe extern "C-unwind" fn record_position(_arg: *mut std::ffi::c_void) {
    // SPI's own callback (which runs first) moves syntax-error positions to the internal position.
    let position = unsafe { pg_sys::geterrposition().max(pg_sys::getinternalerrposition()) };
    ERROR_POSITION.with(|p| p.set(position));
}

/// The prepared plan for `sql`, from the per-backend cache or prepared now.
pub fn prepare(sql: &str) -> Result<Rc<Prepared>, DbError> {
    if let Some(hit) = PLANS.with(|p| p.borrow().0.get(sql).cloned()) {
        return Ok(hit);
    }
    let prepared = Rc::new(in_subtransaction(|| unsafe { prepare_now(sql) })?);
    PLANS.with(|p| {
        let (map, order) = &mut *p.borrow_mut();
        if map.len() >= PLAN_CACHE_SIZE {
            if let Some(oldest) = order.pop_front() {
                if let Some(old) = map.remove(&oldest) {
                    // Only this cache holds plans; freeing is safe once no call uses it.
                    if Rc::strong_count(&old) == 1 {
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

unsafe fn prepare_now(sql: &str) -> Result<Prepared, DbError> {
    unsafe {
        let c_sql = CString::new(sql).map_err(|_| DbError::new("22021", "SQL text contains a NUL byte"))?;
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
        Ok(Prepared { plan, param_types, is_select })
    }
}

/// Parses and analyses `sql` with parameters of unknown type, as the wire protocol does, and
/// returns the type the server inferred for each `$n` (text where nothing decides it).
unsafe fn infer_param_types(sql: &CStr) -> Result<Vec<Oid>, DbError> {
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

unsafe fn plan_is_select(plan: pg_sys::SPIPlanPtr) -> bool {
    unsafe {
        let sources = pg_sys::SPI_plan_get_plan_sources(plan);
        if sources.is_null() || (*sources).length != 1 {
            return false;
        }
        let source = pg_sys::list_nth(sources, 0) as *mut pg_sys::CachedPlanSource;
        (*source).commandTag == pg_sys::CommandTag::CMDTAG_SELECT
    }
}

/// Binds `params` to the statement's parameter types and executes it, in one subtransaction
/// (input functions may raise too); `read` gets the result rows (none unless it returned rows).
pub fn run<T>(
    prepared: &Prepared,
    params: &[JsOut],
    opts: ExecOptions,
    read: impl FnOnce(&Rows) -> T,
) -> Result<Executed<T>, DbError> {
    if params.len() != prepared.param_types.len() {
        return Err(DbError::new(
            "08P01",
            format!("the SQL uses {} parameter(s) but {} were given", prepared.param_types.len(), params.len()),
        )
        .hint("Pass one value per $n placeholder."));
    }
    in_subtransaction(|| {
        let datums = bind(prepared, params)?;
        unsafe { execute_now(prepared, &datums, opts, read) }
    })
}

/// Converts JS values to the statement's parameter types; a value that does not fit is an
/// error naming the parameter.
fn bind(prepared: &Prepared, params: &[JsOut]) -> Result<Vec<Option<pg_sys::Datum>>, DbError> {
    params
        .iter()
        .zip(&prepared.param_types)
        .enumerate()
        .map(|(i, (value, typ))| {
            datum::from_js_out(value, *typ).map_err(|m| {
                DbError::new("42804", format!("parameter ${} expects {}, got {}", i + 1, m.expected, m.got))
                    .hint("Convert the value in JS, or cast the parameter in SQL (e.g. $1::text).")
            })
        })
        .collect()
}

/// Whether parameter `i` is json/jsonb (JS values are then sent as JSON text).
pub fn param_is_json(prepared: &Prepared, i: usize) -> bool {
    matches!(prepared.param_types.get(i), Some(&pg_sys::JSONOID | &pg_sys::JSONBOID))
}

static CURSORS: BackendLocal<RefCell<Vec<String>>> = BackendLocal::new(RefCell::new(Vec::new()));

/// Opens a cursor (a portal) for a statement; returns its name. It stays open across
/// statements until [`close_cursor`], or until the call ends ([`close_cursors`]).
pub fn open_cursor(prepared: &Prepared, params: &[JsOut], read_only: bool) -> Result<String, DbError> {
    if params.len() != prepared.param_types.len() {
        return Err(DbError::new(
            "08P01",
            format!("the SQL uses {} parameter(s) but {} were given", prepared.param_types.len(), params.len()),
        ));
    }
    let name = in_subtransaction(|| unsafe {
        let (mut values, nulls) = spi_args(&bind(prepared, params)?);
        pg_sys::SPI_connect();
        let portal = pg_sys::SPI_cursor_open(
            std::ptr::null(),
            prepared.plan,
            values.as_mut_ptr(),
            if nulls.is_empty() { std::ptr::null() } else { nulls.as_ptr() },
            read_only,
        );
        let name = CStr::from_ptr((*portal).name).to_string_lossy().into_owned();
        pg_sys::SPI_finish();
        Ok(name)
    })?;
    CURSORS.with(|c| c.borrow_mut().push(name.clone()));
    Ok(name)
}

/// The next `count` rows of cursor `name` (fewer at the end, none when exhausted), given to `read`.
pub fn fetch<T>(name: &str, count: i64, read: impl FnOnce(&Rows) -> T) -> Result<T, DbError> {
    let c_name = CString::new(name).map_err(|_| DbError::new("34000", "invalid cursor name"))?;
    in_subtransaction(|| unsafe {
        pg_sys::SPI_connect();
        let portal = pg_sys::SPI_cursor_find(c_name.as_ptr());
        if portal.is_null() {
            pg_sys::SPI_finish();
            return Err(DbError::new("34000", format!("cursor {name} is closed")));
        }
        pg_sys::SPI_cursor_fetch(portal, true, count as _);
        let out = read(&Rows::of(pg_sys::SPI_tuptable, pg_sys::SPI_processed));
        pg_sys::SPI_finish();
        Ok(out)
    })
}

/// Closes cursor `name` if it is still open.
pub fn close_cursor(name: &str) {
    CURSORS.with(|c| c.borrow_mut().retain(|n| n != name));
    if let Ok(c_name) = CString::new(name) {
        unsafe {
            let portal = pg_sys::SPI_cursor_find(c_name.as_ptr());
            if !portal.is_null() {
                pg_sys::SPI_cursor_close(portal);
            }
        }
    }
}

/// Closes the cursors opened since there were `keep` of them (at the end of a call).
pub fn close_cursors(keep: usize) {
    if open_cursors() <= keep {
        return; // every call ends here; it should not pay for an empty Vec
    }
    let extra: Vec<String> = CURSORS.with(|c| c.borrow().iter().skip(keep).cloned().collect());
    for name in extra {
        close_cursor(&name);
    }
}

/// How many cursors are open (saved before a call, restored after it).
pub fn open_cursors() -> usize {
    CURSORS.with(|c| c.borrow().len())
}

struct OpenTransaction {
    level: i32,
    context: pg_sys::MemoryContext,
    owner: pg_sys::ResourceOwner,
}

static OPEN: BackendLocal<RefCell<Vec<OpenTransaction>>> = BackendLocal::new(RefCell::new(Vec::new()));

/// `ctx.db.transaction(fn)`: opens a subtransaction and returns its nesting level.
pub fn begin() -> i32 {
    unsafe {
        let context = pg_sys::CurrentMemoryContext;
        let owner = pg_sys::CurrentResourceOwner;
        pg_sys::BeginInternalSubTransaction(std::ptr::null());
        pg_sys::MemoryContextSwitchTo(context);
        let level = pg_sys::GetCurrentTransactionNestLevel();
        OPEN.with(|o| o.borrow_mut().push(OpenTransaction { level, context, owner }));
        level
    }
}

/// Commits (`commit`) or rolls back the subtransaction `level`, which must be the innermost.
pub fn end(level: i32, commit: bool) -> Result<(), DbError> {
    let top = OPEN.with(|o| o.borrow().last().map(|t| t.level));
    if top != Some(level) || unsafe { pg_sys::GetCurrentTransactionNestLevel() } != level {
        return Err(DbError::new("25000", "ctx.db.transaction blocks must not overlap")
            .hint("Await one transaction before starting the next; do not run transactions in parallel."));
    }
    let open = OPEN.with(|o| o.borrow_mut().pop()).expect("checked above");
    unsafe {
        if commit {
            pg_sys::ReleaseCurrentSubTransaction();
        } else {
            pg_sys::RollbackAndReleaseCurrentSubTransaction();
        }
        pg_sys::MemoryContextSwitchTo(open.context);
        pg_sys::CurrentResourceOwner = open.owner;
    }
    Ok(())
}

/// Rolls back transaction blocks a call left open (its promise never settled, or it failed
/// half-way), innermost first, down to `depth` open blocks.
pub fn abandon_open_transactions(depth: usize) {
    while OPEN.with(|o| o.borrow().len()) > depth {
        let level = OPEN.with(|o| o.borrow().last().map(|t| t.level)).expect("non-empty");
        let _ = end(level, false);
    }
}

/// Makes the transaction read-only for the rest of the call (the handler restores the previous
/// state when the call ends; a (sub)transaction abort restores it on an error).
pub fn enter_read_only_transaction() {
    unsafe { pg_sys::XactReadOnly = true };
}

/// How many transaction blocks are open (saved before a call, restored after it).
pub fn open_transactions() -> usize {
    OPEN.with(|o| o.borrow().len())
}

unsafe fn execute_now<T>(
    prepared: &Prepared,
    params: &[Option<pg_sys::Datum>],
    opts: ExecOptions,
    read: impl FnOnce(&Rows) -> T,
) -> Result<Executed<T>, DbError> {
    unsafe {
        let (mut values, nulls) = spi_args(params);
        let limit = if prepared.is_select { opts.max_rows.saturating_add(1) as i64 } else { 0 };
        pg_sys::SPI_connect();
        let code = pg_sys::SPI_execute_plan(
            prepared.plan,
            values.as_mut_ptr(),
            if nulls.is_empty() { std::ptr::null() } else { nulls.as_ptr() },
            opts.read_only,
            limit as _,
        );
        if code < 0 {
            pg_sys::SPI_finish();
            return Err(DbError::new("XX000", format!("SPI_execute_plan failed (code {code})")));
        }
        let processed = pg_sys::SPI_processed;
        let table = pg_sys::SPI_tuptable;
        if !table.is_null() && processed > opts.max_rows {
            pg_sys::SPI_finish();
            return Err(DbError::new(
                "54000",
                format!("query returned more than plts.max_query_rows ({}) rows", opts.max_rows),
            )
            .hint("Walk large results with ctx.db.cursor(sql, params), or raise plts.max_query_rows."));
        }
        let rows = read(&Rows::of(table, processed));
        pg_sys::SPI_finish();
        Ok(Executed { rows, row_count: processed, command: command_name(code) })
    }
}

/// Parameter values and SPI's null flags (`'n'` for NULL, `' '` otherwise).
fn spi_args(params: &[Option<pg_sys::Datum>]) -> (Vec<pg_sys::Datum>, Vec<std::ffi::c_char>) {
    let values = params.iter().map(|p| p.unwrap_or(pg_sys::Datum::from(0))).collect();
    let nulls = params.iter().map(|p| if p.is_some() { b' ' } else { b'n' } as std::ffi::c_char).collect();
    (values, nulls)
}

fn command_name(code: i32) -> &'static str {
    match code as u32 {
        pg_sys::SPI_OK_SELECT | pg_sys::SPI_OK_SELINTO => "SELECT",
        pg_sys::SPI_OK_INSERT | pg_sys::SPI_OK_INSERT_RETURNING => "INSERT",
        pg_sys::SPI_OK_UPDATE | pg_sys::SPI_OK_UPDATE_RETURNING => "UPDATE",
        pg_sys::SPI_OK_DELETE | pg_sys::SPI_OK_DELETE_RETURNING => "DELETE",
        pg_sys::SPI_OK_MERGE => "MERGE",
        pg_sys::SPI_OK_UTILITY => "UTILITY",
        _ => "OTHER",
    }
}

//! Recording a failed deploy so that the record survives the caller's transaction.
//!
//! A deploy runs in the caller's transaction, and an ERROR aborts that transaction: a row
//! written there would vanish with everything else. PostgreSQL has no autonomous
//! transactions, so the 'failed' row is written by a short-lived dynamic background worker
//! that connects to the same database and commits on its own. The deploying backend hands it
//! the failure as JSON in a dynamic shared memory segment, waits until it exits, and reads
//! back the id it wrote. Costs one process start (a few ms) per failed deploy; successful
//! deploys never start a worker.
//!
//! Limits, by design: the worker waits at most 2 s for a lock (`lock_timeout`) — for example
//! when the caller's own transaction created the environment row earlier and has not
//! committed — and when no worker slot is free (`max_worker_processes`) nothing is recorded.
//! In both cases deploy emits a WARNING and still raises the original error.

use std::ptr;

use pgrx::bgworkers::{BackgroundWorker, BackgroundWorkerBuilder, SignalWakeFlags};
use pgrx::prelude::*;
use pgrx::JsonB;

/// Segment layout: [i64 id written by the worker, 0 = not recorded][u32 length][JSON bytes].
const HEADER: usize = 12;

/// Starts the recorder and waits for it; returns the id of the 'failed' deployment row.
pub fn record(failure: &serde_json::Value) -> Result<i64, String> {
    let payload = failure.to_string().into_bytes();
    // SAFETY: dsm_create returns NULL (checked) or a segment mapped here of at least
    // HEADER + payload.len() bytes, so the three writes stay inside it; the unaligned writes
    // and read assume no alignment, and the payload Vec is process memory, which cannot
    // overlap the mapping. The header and payload are written before the worker is
    // registered, and the id is read only after wait_for_shutdown says the worker has
    // stopped, so the two processes never use the segment at the same time; the worker maps
    // it itself, so our dsm_detach (last, once) never unmaps memory it uses, and an ERROR
    // before that detach releases the segment with the transaction's resource owner.
    // MyDatabaseId and MyProcPid are set at backend start and only read here.
    unsafe {
        let segment = pg_sys::dsm_create(HEADER + payload.len(), pg_sys::DSM_CREATE_NULL_IF_MAXSEGMENTS as i32);
        if segment.is_null() {
            return Err("no dynamic shared memory segment is free".to_string());
        }
        let base = pg_sys::dsm_segment_address(segment) as *mut u8;
        ptr::write_unaligned(base as *mut i64, 0);
        ptr::write_unaligned(base.add(8) as *mut u32, payload.len() as u32);
        ptr::copy_nonoverlapping(payload.as_ptr(), base.add(HEADER), payload.len());
        let handle = pg_sys::dsm_segment_handle(segment);
        let worker = BackgroundWorkerBuilder::new("stopgap failure recorder")
            .set_library("stopgap")
            .set_function("stopgap_failure_recorder_main")
            .set_argument(Some(pg_sys::Datum::from(handle as usize)))
            .set_extra(&pg_sys::MyDatabaseId.to_u32().to_string())
            .enable_spi_access()
            .set_notify_pid(pg_sys::MyProcPid)
            .load_dynamic();
        let result = match worker {
            Err(_) => Err("no background worker slot is free (raise max_worker_processes)".to_string()),
            Ok(worker) => match worker.wait_for_shutdown() {
                Ok(()) => match ptr::read_unaligned(base as *const i64) {
                    id if id > 0 => Ok(id),
                    _ => Err("the recorder did not finish; the server log has its error".to_string()),
                },
                Err(status) => Err(format!("the recorder ended as {status:?}")),
            },
        };
        pg_sys::dsm_detach(segment);
        result
    }
}

/// Entry point of the recorder worker (named in `record`).
#[pg_guard]
#[no_mangle]
pub extern "C-unwind" fn stopgap_failure_recorder_main(arg: pg_sys::Datum) {
    BackgroundWorker::attach_signal_handlers(SignalWakeFlags::SIGTERM);
    let database: u32 = BackgroundWorker::get_extra().parse().unwrap_or(0);
    BackgroundWorker::connect_worker_to_spi_by_oid(Some(pg_sys::Oid::from(database)), None);
    // SAFETY: `arg` is the dsm_handle that `record` passed as this worker's argument.
    // dsm_attach returns NULL (checked) when the segment is gone, e.g. because the deploying
    // backend's wait was cancelled; otherwise this process's mapping holds the header and
    // the `len` payload bytes that `record` wrote before it registered the worker, and stays
    // valid until the dsm_detach below. The payload is copied out at once; the id goes to
    // the first 8 bytes, which the deploying backend reads only after this process exits.
    unsafe {
        let segment = pg_sys::dsm_attach(arg.value() as pg_sys::dsm_handle);
        if segment.is_null() {
            return;
        }
        let base = pg_sys::dsm_segment_address(segment) as *mut u8;
        let len = ptr::read_unaligned(base.add(8) as *const u32) as usize;
        let bytes = std::slice::from_raw_parts(base.add(HEADER), len).to_vec();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let id = BackgroundWorker::transaction(move || insert_failed(&text));
        ptr::write_unaligned(base as *mut i64, id);
        pg_sys::dsm_detach(segment);
    }
}

fn insert_failed(payload: &str) -> i64 {
    let value: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    Spi::run("SET LOCAL lock_timeout = '2s'").ok();
    Spi::run("SET LOCAL statement_timeout = '10s'").ok();
    Spi::run_with_args(
        "INSERT INTO stopgap.environment (env, live_schema) VALUES ($1, $2::name) ON CONFLICT DO NOTHING",
        &[text("env").into(), text("live_schema").into()],
    )
    .ok();
    Spi::get_one_with_args::<i64>(
        "INSERT INTO stopgap.deployment (env, label, created_by, source_schema, status, failure)
         VALUES ($1, $2, $3::name, $4::name, 'failed', $5) RETURNING id",
        &[
            text("env").into(),
            text("label").into(),
            text("created_by").into(),
            text("source_schema").into(),
            JsonB(value.get("failure").cloned().unwrap_or_default()).into(),
        ],
    )
    .ok()
    .flatten()
    .unwrap_or(0)
}

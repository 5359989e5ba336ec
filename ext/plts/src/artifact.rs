//! The content-addressed artifact catalog (`plts.artifact`) and its SQL functions, and
//! turning a function body — TypeScript or an artifact pointer — into a [`Program`].

use std::cell::RefCell;
use std::rc::Rc;

use pgrx::prelude::*;
use pgrx::JsonB;
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use crate::backend::BackendLocal;
use crate::compiler::{self, CompilerOpts, Diagnostic};
use crate::program::Program;
use crate::error::raise;

/// `sha256:` + hex over fingerprint, canonical options, source and output, each
/// length-prefixed so no two different inputs share a byte stream.
pub fn artifact_hash(fingerprint: &str, opts: &CompilerOpts, source_ts: &str, compiled_js: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [fingerprint, &opts.to_json().to_string(), source_ts, compiled_js] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

fn parse_opts(opts: &JsonB) -> CompilerOpts {
    CompilerOpts::from_json(&opts.0).unwrap_or_else(|why| {
        raise(PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE, format!("invalid compiler_opts: {why}"), None, None)
    })
}

/// Transpiles TypeScript without storing anything. `compiled_js` is NULL when
/// `diagnostics` has errors (1-based line/column relative to `source_ts`).
#[pg_extern(immutable, parallel_safe)]
fn compile_ts(
    source_ts: &str,
    compiler_opts: default!(JsonB, "'{}'"),
) -> TableIterator<'static, (name!(compiled_js, Option<String>), name!(diagnostics, JsonB), name!(compiler_fingerprint, String))>
{
    let opts = parse_opts(&compiler_opts);
    let fingerprint = compiler::fingerprint(&opts);
    let row = match compiler::compile(source_ts, opts.source_map) {
        Ok(out) => (Some(out.compiled_js), JsonB(serde_json::json!([])), fingerprint),
        Err(diags) => (None, JsonB(serde_json::to_value(diags).unwrap_or_default()), fingerprint),
    };
    TableIterator::once(row)
}

// Writing artifacts is a grant, not a right of every role: both writers are SECURITY DEFINER
// (plts.artifact itself is read-only for PUBLIC), so without this any role that can connect could
// fill the catalog. Superusers keep it; stopgap grants it to stopgap_deployer and stopgap_owner.
// Reading stays open, as pg_proc.prosrc is: an artifact is the source of a function anyone can see.
pgrx::extension_sql!(
    r#"
REVOKE EXECUTE ON FUNCTION plts.upsert_artifact(text, text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION plts.compile_and_store(text, jsonb) FROM PUBLIC;
"#,
    name = "artifact_writers",
    finalize
);

/// Stores already-compiled JavaScript (for example a bundle made by `stopgap deploy`) and
/// returns its hash. Storing the same thing twice returns the same hash and keeps one row.
#[pg_extern(volatile, security_definer, parallel_unsafe)]
fn upsert_artifact(source_ts: &str, compiled_js: &str, compiler_opts: default!(JsonB, "'{}'")) -> String {
    let opts = parse_opts(&compiler_opts);
    store(source_ts, compiled_js, None, &opts)
}

/// Compiles TypeScript and stores the artifact; a TypeScript error is an ERROR with its
/// line, column and a caret excerpt.
#[pg_extern(volatile, security_definer, parallel_unsafe)]
fn compile_and_store(source_ts: &str, compiler_opts: default!(JsonB, "'{}'")) -> String {
    let opts = parse_opts(&compiler_opts);
    match compiler::compile(source_ts, opts.source_map) {
        Ok(out) => store(source_ts, &out.compiled_js, out.source_map.as_deref(), &opts),
        Err(diags) => raise_syntax_error("TypeScript source", source_ts, &diags),
    }
}

fn store(source_ts: &str, compiled_js: &str, source_map: Option<&str>, opts: &CompilerOpts) -> String {
    let fingerprint = compiler::fingerprint(opts);
    let hash = artifact_hash(&fingerprint, opts, source_ts, compiled_js);
    Spi::run_with_args(
        "INSERT INTO plts.artifact (artifact_hash, source_ts, compiled_js, compiler_opts, compiler_fingerprint, source_map)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (artifact_hash) DO NOTHING",
        &[
            hash.as_str().into(),
            source_ts.into(),
            compiled_js.into(),
            JsonB(opts.to_json()).into(),
            fingerprint.as_str().into(),
            source_map.into(),
        ],
    )
    .unwrap_or_else(|e| raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("cannot store artifact: {e}"), None, None));
    hash
}

/// Raises a TypeScript syntax error: `what` names the source (`function public.f`).
pub fn raise_syntax_error(what: &str, source: &str, diags: &[Diagnostic]) -> ! {
    let first = &diags[0];
    let excerpt = compiler::caret_excerpt(source, first.line, first.column);
    let more = match diags.len() {
        1 => String::new(),
        n => format!("\n({} more error{})", n - 1, if n == 2 { "" } else { "s" }),
    };
    raise(
        PgSqlErrorCode::ERRCODE_SYNTAX_ERROR,
        format!("TypeScript error in {what} at line {}, column {}: {}", first.line, first.column, first.message),
        Some(format!("{excerpt}{more}")),
        syntax_hint(&first.message),
    )
}

/// What to do about the errors a body written for another PL meets: a plv8 or PL/pgSQL-style body
/// returns at top level, where a module cannot.
fn syntax_hint(message: &str) -> Option<String> {
    message.contains("Return statement is not allowed here").then(|| {
        "A plts function body is an ES module: export the handler, e.g. `export default (ctx, a) => a * 2;` \
         (SQL arguments follow ctx, in order)."
            .to_string()
    })
}

/// A function body that points at a stored artifact instead of holding TypeScript.
#[derive(serde::Deserialize)]
struct ArtifactPointer {
    plts: u32,
    kind: String,
    artifact_hash: String,
    #[serde(default = "default_export")]
    export: String,
}

fn default_export() -> String {
    "default".into()
}

/// `Some(hash)` when `body` is an artifact pointer, validated; `None` for TypeScript.
fn pointer(body: &str) -> Option<String> {
    let trimmed = body.trim();
    if !trimmed.starts_with('{') || !trimmed.contains("\"artifact_ptr\"") {
        return None;
    }
    let ptr: ArtifactPointer = serde_json::from_str(trimmed).unwrap_or_else(|e| {
        raise(PgSqlErrorCode::ERRCODE_INVALID_FUNCTION_DEFINITION, format!("invalid plts artifact pointer: {e}"), None, None)
    });
    if ptr.plts != 1 || ptr.kind != "artifact_ptr" || ptr.export != "default" {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_FUNCTION_DEFINITION,
            format!("unsupported plts artifact pointer (plts {}, kind {}, export {})", ptr.plts, ptr.kind, ptr.export),
            None,
            Some("Supported: {\"plts\":1,\"kind\":\"artifact_ptr\",\"artifact_hash\":\"sha256:...\",\"export\":\"default\"}".into()),
        );
    }
    Some(ptr.artifact_hash)
}

struct StoredCode {
    compiled_js: String,
    source_map: Option<String>,
}

/// Artifacts fetched in this backend, by hash. They are immutable, so the cache never goes stale.
static ARTIFACTS: BackendLocal<RefCell<FxHashMap<String, Rc<StoredCode>>>> =
    BackendLocal::new(RefCell::new(FxHashMap::with_hasher(rustc_hash::FxBuildHasher)));

fn fetch(hash: &str) -> Rc<StoredCode> {
    if let Some(hit) = ARTIFACTS.with(|a| a.borrow().get(hash).cloned()) {
        return hit;
    }
    // Without an xid: the first call of a deployed function may be on a hot standby.
    let row = pg_read::two::<String, String>(
        "SELECT compiled_js, source_map FROM plts.artifact WHERE artifact_hash = $1",
        &[hash.into()],
    );
    let code = match row {
        Ok((Some(compiled_js), source_map)) => Rc::new(StoredCode { compiled_js, source_map }),
        _ => raise(
            PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
            format!("plts artifact {hash} does not exist"),
            None,
            Some("Store it with plts.compile_and_store() or redeploy the function.".into()),
        ),
    };
    ARTIFACTS.with(|a| a.borrow_mut().insert(hash.to_string(), code.clone()));
    code
}

/// Drops a fetched artifact from the cache once no function runs its module (`plts:<hash>`);
/// true when `module_name` is an artifact's, which a rollback may bring back.
pub fn forget(module_name: &str) -> bool {
    match module_name.strip_prefix("plts:").filter(|rest| rest.starts_with("sha256:")) {
        Some(hash) => {
            ARTIFACTS.with(|a| a.borrow_mut().remove(hash));
            true
        }
        None => false,
    }
}

/// The program of a function body. `module_name` must be unique per body version; `label`
/// names the code in stack traces (`public.add`), `what` in syntax errors (`function public.add`).
pub fn program_for_body(body: &str, module_name: &str, label: &str, what: &str) -> Program {
    if let Some(hash) = pointer(body) {
        let code = fetch(&hash);
        // Artifacts are shared by every function that points at them: one module per hash.
        return Program::new(format!("plts:{hash}"), label.to_string(), code.compiled_js.clone(), code.source_map.as_deref());
    }
    match compiler::compile(body, true) {
        Ok(out) => Program::new(module_name.to_string(), label.to_string(), out.compiled_js, out.source_map.as_deref()),
        Err(diags) => raise_syntax_error(what, body, &diags),
    }
}

/// Checks a body at CREATE FUNCTION time: TypeScript compiles, or the pointed-at artifact exists.
pub fn validate_body(body: &str, label: &str) {
    if let Some(hash) = pointer(body) {
        fetch(&hash);
        return;
    }
    if let Err(diags) = compiler::compile(body, false) {
        raise_syntax_error(&format!("function {label}"), body, &diags);
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn hash_is_deterministic_and_covers_every_part() {
        let opts = CompilerOpts::default();
        let a = artifact_hash("fp", &opts, "src", "js");
        assert_eq!(a, artifact_hash("fp", &opts, "src", "js"));
        assert!(a.starts_with("sha256:") && a.len() == 71);
        assert_ne!(a, artifact_hash("fp2", &opts, "src", "js"));
        assert_ne!(a, artifact_hash("fp", &CompilerOpts { source_map: true }, "src", "js"));
        assert_ne!(a, artifact_hash("fp", &opts, "src2", "js"));
        assert_ne!(a, artifact_hash("fp", &opts, "src", "js2"));
        // framing: moving a byte between parts changes the hash
        assert_ne!(artifact_hash("fp", &opts, "ab", "c"), artifact_hash("fp", &opts, "a", "bc"));
    }
}

//! Reads the resolved versions of deno_ast and rquickjs from Cargo.lock so the compiler
//! fingerprint names the real compiler, not a hand-written constant.
use std::path::Path;

fn main() {
    let lock_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock_path.display());
    let lock = std::fs::read_to_string(&lock_path).expect("Cargo.lock is committed at the workspace root");
    for (krate, var) in [("deno_ast", "PLTS_DENO_AST_VERSION"), ("rquickjs", "PLTS_RQUICKJS_VERSION")] {
        let version = locked_version(&lock, krate)
            .unwrap_or_else(|| panic!("{krate} is not in Cargo.lock"));
        println!("cargo:rustc-env={var}={version}");
    }
}

fn locked_version(lock: &str, krate: &str) -> Option<String> {
    let header = format!("name = \"{krate}\"\n");
    let start = lock.find(&header)? + header.len();
    let line = lock[start..].lines().next()?;
    Some(line.strip_prefix("version = \"")?.strip_suffix('"')?.to_string())
}

//! Build-time inputs of plts:
//! - the resolved versions of deno_ast and rquickjs, read from Cargo.lock, so the compiler
//!   fingerprint names the real compiler, not a hand-written constant;
//! - the built-in modules `@stopgap/runtime` and `valibot`, bundled by Deno from `runtime/` and the
//!   npm package pinned in deno.json (nothing is copied into the repository).
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    // Read at run time, not with env!(): cargo reuses one compiled build script for every
    // checkout of the same package, so a path baked in at compile time may name another clone.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir).join("../..");
    bundle_builtins(&root);
    let lock_path = root.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock_path.display());
    let lock = std::fs::read_to_string(&lock_path).expect("Cargo.lock is committed at the workspace root");
    for (krate, var) in [("deno_ast", "PLTS_DENO_AST_VERSION"), ("rquickjs", "PLTS_RQUICKJS_VERSION")] {
        let version = locked_version(&lock, krate)
            .unwrap_or_else(|| panic!("{krate} is not in Cargo.lock"));
        println!("cargo:rustc-env={var}={version}");
    }
}

/// Bundles the built-in modules into OUT_DIR with the project's pinned Deno.
fn bundle_builtins(root: &Path) {
    for watched in ["runtime", "deno.json", "deno.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=DENO");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let deno = std::env::var("DENO").unwrap_or_else(|_| "deno".into());
    let bundles = [
        // valibot stays a separate built-in so user code and the runtime share one instance.
        ("runtime/mod.ts", "stopgap_runtime.js", vec!["--external", "valibot"]),
        ("runtime/builtins/valibot.ts", "valibot.js", vec![]),
    ];
    for (entry, file, extra) in bundles {
        let target = out.join(file);
        let status = Command::new(&deno)
            .current_dir(root)
            .args(["bundle", "--quiet", "--platform", "browser", "--format", "esm", "--minify"])
            .args(extra)
            .arg("-o")
            .arg(&target)
            .arg(entry)
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run Deno ({deno}: {e}) to bundle the built-in module {entry}; \
                     run ./dev build, which installs Deno, or set DENO=/path/to/deno"
                )
            });
        assert!(status.success(), "`deno bundle {entry}` failed ({status}); see its output above");
    }
    // valibot first: compiling the runtime resolves its `import ... from "valibot"`.
    let valibot = std::fs::read_to_string(out.join("valibot.js")).expect("deno bundle wrote valibot.js");
    let runtime = std::fs::read_to_string(out.join("stopgap_runtime.js")).expect("deno bundle wrote the runtime");
    for (specifier, source, file) in
        [("valibot", &valibot, "valibot.qjsbc"), ("@stopgap/runtime", &runtime, "stopgap_runtime.qjsbc")]
    {
        std::fs::write(out.join(file), bytecode(specifier, source, &valibot)).expect("OUT_DIR is writable");
    }
}

/// Compiles a module to QuickJS bytecode, so a backend loads the built-ins without parsing
/// ~100 KB of JavaScript (the cold-start cost of `import ... from "@stopgap/runtime"`).
fn bytecode(specifier: &str, source: &str, valibot: &str) -> Vec<u8> {
    use rquickjs::loader::{BuiltinLoader, BuiltinResolver};
    let runtime = rquickjs::Runtime::new().expect("QuickJS runtime");
    runtime.set_loader(
        BuiltinResolver::default().with_module("valibot"),
        BuiltinLoader::default().with_module("valibot", valibot.to_string()),
    );
    let context = rquickjs::Context::full(&runtime).expect("QuickJS context");
    context.with(|ctx| {
        let module = rquickjs::Module::declare(ctx.clone(), specifier, source).unwrap_or_else(|e| {
            let thrown = ctx.catch();
            let why: String = thrown.as_exception().and_then(|x| x.message()).unwrap_or_else(|| format!("{thrown:?}"));
            panic!("the bundled {specifier} does not compile in QuickJS: {e}: {why}")
        });
        module.write(rquickjs::module::WriteOptions::default()).expect("QuickJS writes module bytecode")
    })
}

fn locked_version(lock: &str, krate: &str) -> Option<String> {
    let header = format!("name = \"{krate}\"\n");
    let start = lock.find(&header)? + header.len();
    let line = lock[start..].lines().next()?;
    Some(line.strip_prefix("version = \"")?.strip_suffix('"')?.to_string())
}

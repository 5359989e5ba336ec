//! Build-time inputs of plts:
//! - the resolved versions of deno_ast and rquickjs, read from Cargo.lock, so the compiler
//!   fingerprint names the real compiler, not a hand-written constant;
//! - the built-in modules listed in runtime/builtins/modules.json (the list compiler/compile.ts
//!   reads too), bundled by Deno from `runtime/` and the npm packages pinned in deno.json (nothing
//!   is copied into the repository), and the `BUILTINS` list of engine/loader.rs generated from it.
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    // Read at run time, not with env!(): cargo reuses one compiled build script for every
    // checkout of the same package, so a path baked in at compile time may name another clone.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir).join("../..");
    bundle_builtins(&root);
    for script in ["web", "intl"] {
        compile_script(&root, script);
    }
    let lock_path = root.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock_path.display());
    let lock = std::fs::read_to_string(&lock_path).expect("Cargo.lock is committed at the workspace root");
    for (krate, var) in [("deno_ast", "PLTS_DENO_AST_VERSION"), ("rquickjs", "PLTS_RQUICKJS_VERSION")] {
        let version = locked_version(&lock, krate)
            .unwrap_or_else(|| panic!("{krate} is not in Cargo.lock"));
        println!("cargo:rustc-env={var}={version}");
    }
}

/// The list of built-in modules, relative to the workspace root.
const MODULES_JSON: &str = "runtime/builtins/modules.json";

/// Bundles the built-in modules into OUT_DIR with the project's pinned Deno, compiles them to
/// QuickJS bytecode, and writes `builtins.rs`, the `BUILTINS` list that engine/loader.rs includes.
fn bundle_builtins(root: &Path) {
    for watched in ["runtime", MODULES_JSON, "deno.json", "deno.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=DENO");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let deno = std::env::var("DENO").unwrap_or_else(|_| "deno".into());
    let modules = read_modules(&root.join(MODULES_JSON));
    for module in &modules {
        let entry = &module.entry;
        let target = out.join(format!("{}.js", module.output));
        let status = Command::new(&deno)
            .current_dir(root)
            .args(["bundle", "--quiet", "--platform", "browser", "--format", "esm", "--minify"])
            .args(module.external.iter().flat_map(|name| ["--external", name.as_str()]))
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
    let sources: Vec<String> = modules
        .iter()
        .map(|m| std::fs::read_to_string(out.join(format!("{}.js", m.output))).expect("deno bundle wrote the module"))
        .collect();
    let source_of = |specifier: &str| {
        let index = modules.iter().position(|m| m.specifier == specifier).unwrap_or_else(|| {
            panic!("{MODULES_JSON}: the external {specifier:?} is not a built-in module; it would not resolve in plts")
        });
        sources[index].as_str()
    };
    // Compiling a module resolves its imports, so each one's externals (all built-ins) are loaded too.
    for (module, source) in modules.iter().zip(&sources) {
        let imports: Vec<(&str, &str)> = module.external.iter().map(|name| (name.as_str(), source_of(name))).collect();
        let code = bytecode(&module.specifier, source, &imports);
        std::fs::write(out.join(format!("{}.qjsbc", module.output)), code).expect("OUT_DIR is writable");
    }
    std::fs::write(out.join("builtins.rs"), builtins_rs(&modules)).expect("OUT_DIR is writable");
}

/// One entry of runtime/builtins/modules.json.
struct BuiltinModule {
    /// The bare specifier user code imports.
    specifier: String,
    /// The file `deno bundle` starts from, relative to the workspace root.
    entry: String,
    /// The stem of the bundle's files in OUT_DIR: `<output>.js` and `<output>.qjsbc`.
    output: String,
    /// Other built-ins the bundle imports instead of inlining them, so that user code and this
    /// module share one instance of each (valibot, for the runtime).
    external: Vec<String>,
}

/// Reads the list of built-in modules. The file is a JSON array of objects whose values are
/// strings (without escapes) or arrays of strings, which a few lines read without a JSON crate.
fn read_modules(path: &Path) -> Vec<BuiltinModule> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut tokens = json_tokens(&text).into_iter().peekable();
    let list = parse_json(&mut tokens);
    assert!(tokens.next().is_none(), "{MODULES_JSON}: text after the top-level array");
    let modules: Vec<BuiltinModule> = list
        .list()
        .iter()
        .map(|item| BuiltinModule {
            specifier: item.get("specifier").str().to_string(),
            entry: item.get("entry").str().to_string(),
            output: item.get("output").str().to_string(),
            external: item.get("external").list().iter().map(|name| name.str().to_string()).collect(),
        })
        .collect();
    for module in &modules {
        let stem = &module.output;
        assert!(
            !stem.is_empty() && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{MODULES_JSON}: the output {stem:?} is not a plain file stem (letters, digits, _)"
        );
    }
    modules
}

/// The subset of JSON that runtime/builtins/modules.json uses.
enum Json {
    Str(String),
    List(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            _ => panic!("{MODULES_JSON}: a value is not a string"),
        }
    }

    fn list(&self) -> &[Json] {
        match self {
            Json::List(items) => items,
            _ => panic!("{MODULES_JSON}: a value is not an array"),
        }
    }

    fn get(&self, key: &str) -> &Json {
        let Json::Object(fields) = self else { panic!("{MODULES_JSON}: an entry is not an object") };
        let found = fields.iter().find(|(k, _)| k == key);
        found.map(|(_, value)| value).unwrap_or_else(|| panic!("{MODULES_JSON}: an entry has no {key:?}"))
    }
}

enum JsonToken {
    Punct(char),
    Str(String),
}

type JsonTokens = std::iter::Peekable<std::vec::IntoIter<JsonToken>>;

fn json_tokens(text: &str) -> Vec<JsonToken> {
    let mut tokens = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' | ']' | '{' | '}' | ':' | ',' => tokens.push(JsonToken::Punct(c)),
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => panic!("{MODULES_JSON}: escapes in strings are not read"),
                        Some(c) => s.push(c),
                        None => panic!("{MODULES_JSON}: a string is not closed"),
                    }
                }
                tokens.push(JsonToken::Str(s));
            }
            c if c.is_whitespace() => {}
            c => panic!("{MODULES_JSON}: unexpected {c:?}; the values are strings and arrays of strings"),
        }
    }
    tokens
}

/// Takes the punctuation `c` if it comes next.
fn take_punct(tokens: &mut JsonTokens, c: char) -> bool {
    let found = matches!(tokens.peek(), Some(JsonToken::Punct(p)) if *p == c);
    if found {
        tokens.next();
    }
    found
}

fn parse_json(tokens: &mut JsonTokens) -> Json {
    match tokens.next() {
        Some(JsonToken::Str(s)) => Json::Str(s),
        Some(JsonToken::Punct('[')) => {
            let mut items = Vec::new();
            while !take_punct(tokens, ']') {
                items.push(parse_json(tokens));
                take_punct(tokens, ',');
            }
            Json::List(items)
        }
        Some(JsonToken::Punct('{')) => {
            let mut fields = Vec::new();
            while !take_punct(tokens, '}') {
                let Some(JsonToken::Str(key)) = tokens.next() else { panic!("{MODULES_JSON}: a key is not a string") };
                assert!(take_punct(tokens, ':'), "{MODULES_JSON}: no ':' after the key {key:?}");
                fields.push((key, parse_json(tokens)));
                take_punct(tokens, ',');
            }
            Json::Object(fields)
        }
        _ => panic!("{MODULES_JSON}: a value is missing or misplaced"),
    }
}

/// The `BUILTINS` expression of engine/loader.rs, in the order of the JSON list.
fn builtins_rs(modules: &[BuiltinModule]) -> String {
    let mut rs = String::from("&[\n");
    for module in modules {
        let (js, bytecode) = (format!("/{}.js", module.output), format!("/{}.qjsbc", module.output));
        rs += &format!(
            "    Builtin {{\n        specifier: {:?},\n        source: include_str!(concat!(env!(\"OUT_DIR\"), {js:?})),\n        \
             bytecode: include_bytes!(concat!(env!(\"OUT_DIR\"), {bytecode:?})),\n    }},\n",
            module.specifier
        );
    }
    rs + "]\n"
}

/// Compiles a module to QuickJS bytecode, so a backend loads the built-ins without parsing
/// ~100 KB of JavaScript (the cold-start cost of `import ... from "@stopgap/runtime"`).
/// `imports` are the built-ins it imports, by specifier, with their bundled sources.
fn bytecode(specifier: &str, source: &str, imports: &[(&str, &str)]) -> Vec<u8> {
    use rquickjs::loader::{BuiltinLoader, BuiltinResolver};
    let runtime = rquickjs::Runtime::new().expect("QuickJS runtime");
    let (mut resolver, mut loader) = (BuiltinResolver::default(), BuiltinLoader::default());
    for (name, import_source) in imports {
        resolver.add_module(*name);
        loader.add_module(*name, import_source.to_string());
    }
    runtime.set_loader(resolver, loader);
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

/// Compiles ext/plts/src/ctx/<name>.js (a script a context evaluates at the first use of what it
/// defines: web.js the web-platform APIs, intl.js `Intl`) to QuickJS bytecode in OUT_DIR, so a
/// backend reads it instead of parsing it.
fn compile_script(root: &Path, name: &str) {
    let path = root.join(format!("ext/plts/src/ctx/{name}.js"));
    println!("cargo:rerun-if-changed={}", path.display());
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let runtime = rquickjs::Runtime::new().expect("QuickJS runtime");
    let context = rquickjs::Context::full(&runtime).expect("QuickJS context");
    let bytes = context.with(|ctx| {
        use rquickjs::qjs;
        let raw = ctx.as_raw().as_ptr();
        let text = std::ffi::CString::new(source.as_str()).expect("the script has no NUL byte");
        let flags = (qjs::JS_EVAL_TYPE_GLOBAL | qjs::JS_EVAL_FLAG_COMPILE_ONLY) as i32;
        // SAFETY: `raw` is the live context of `ctx`; the source is NUL-terminated; the compiled
        // function is freed after its bytecode is written, and the written bytes are copied out
        // before js_free releases them.
        unsafe {
            let function = qjs::JS_Eval(raw, text.as_ptr(), source.len() as _, c"plts:ctx".as_ptr(), flags);
            assert!(!qjs::JS_IsException(function), "{name}.js does not compile in QuickJS");
            let mut size = 0;
            let written = qjs::JS_WriteObject(raw, &mut size, function, qjs::JS_WRITE_OBJ_BYTECODE as i32);
            assert!(!written.is_null(), "QuickJS writes {name}.js's bytecode");
            let bytes = std::slice::from_raw_parts(written, size as usize).to_vec();
            qjs::js_free(raw, written.cast());
            qjs::JS_FreeValue(raw, function);
            bytes
        }
    });
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join(format!("{name}.qjsbc")), bytes).expect("OUT_DIR is writable");
}

fn locked_version(lock: &str, krate: &str) -> Option<String> {
    let header = format!("name = \"{krate}\"\n");
    let start = lock.find(&header)? + header.len();
    let line = lock[start..].lines().next()?;
    Some(line.strip_prefix("version = \"")?.strip_suffix('"')?.to_string())
}

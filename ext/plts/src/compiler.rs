//! TypeScript → JavaScript, inside the database, with deno_ast (swc).
//!
//! Pure Rust: no PostgreSQL calls, so `cargo test` covers it without a server.

use deno_ast::diagnostics::Diagnostic as _;
use deno_ast::{
    EmitOptions, MediaType, ModuleSpecifier, ParseParams, SourceMapOption, TranspileModuleOptions,
    TranspileOptions,
};
use serde::Serialize;

/// The options of `plts.compile_ts(source, compiler_opts)` that change the output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompilerOpts {
    /// Store a source map with the artifact (`{"source_map": true}`).
    pub source_map: bool,
}

impl CompilerOpts {
    pub const KNOWN: &'static [&'static str] = &["source_map"];

    /// Reads `compiler_opts` jsonb. Unknown keys and wrong types are errors, so a typo
    /// never silently produces a different artifact than the one asked for.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        let map = match value {
            serde_json::Value::Null => return Ok(Self::default()),
            serde_json::Value::Object(map) => map,
            other => return Err(format!("compiler_opts must be a JSON object, got {other}")),
        };
        let mut opts = Self::default();
        for (key, val) in map {
            match (key.as_str(), val) {
                ("source_map", serde_json::Value::Bool(b)) => opts.source_map = *b,
                ("source_map", other) => {
                    return Err(format!("compiler_opts.source_map must be true or false, got {other}"))
                }
                (unknown, _) => {
                    return Err(format!(
                        "unknown compiler option \"{unknown}\"; supported options: {}",
                        Self::KNOWN.join(", ")
                    ))
                }
            }
        }
        Ok(opts)
    }

    /// Canonical JSON form, stored with artifacts and hashed.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "source_map": self.source_map })
    }
}

/// Names the exact compiler that produced an artifact: the deno_ast and QuickJS binding
/// versions resolved in Cargo.lock (read by build.rs), this crate's version, and the
/// options that change output. Two backends with the same fingerprint emit the same JS.
pub fn fingerprint(opts: &CompilerOpts) -> String {
    format!(
        "plts@{}+deno_ast@{}+rquickjs@{};source_map={}",
        env!("CARGO_PKG_VERSION"),
        env!("PLTS_DENO_AST_VERSION"),
        env!("PLTS_RQUICKJS_VERSION"),
        opts.source_map
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: &'static str,
    pub message: String,
    /// 1-based, relative to the source given.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
}

#[derive(Debug, Clone)]
pub struct Compiled {
    pub compiled_js: String,
    pub source_map: Option<String>,
}

pub type CompileResult = Result<Compiled, Vec<Diagnostic>>;

const SPECIFIER: &str = "file:///plts/function.ts";

/// Transpiles one TypeScript module. A source map is always produced when `want_map`
/// is set; the runtime asks for one to point JS stack traces at TypeScript lines.
pub fn compile(source: &str, want_map: bool) -> CompileResult {
    let specifier = ModuleSpecifier::parse(SPECIFIER).expect("constant specifier parses");
    let parsed = deno_ast::parse_module(ParseParams {
        specifier,
        text: source.into(),
        media_type: MediaType::TypeScript,
        capture_tokens: false,
        scope_analysis: false,
        maybe_syntax: None,
    })
    .map_err(|d| vec![diagnostic(&d)])?;
    let recoverable: Vec<Diagnostic> = parsed.diagnostics().iter().map(diagnostic).collect();
    if !recoverable.is_empty() {
        return Err(recoverable);
    }
    let emit = EmitOptions {
        source_map: if want_map { SourceMapOption::Separate } else { SourceMapOption::None },
        source_map_file: None,
        source_map_base: None,
        inline_sources: false,
        remove_comments: false,
    };
    let transpiled = parsed
        .transpile(&TranspileOptions::default(), &TranspileModuleOptions::default(), &emit)
        .map_err(|e| {
            vec![Diagnostic { severity: "error", message: e.to_string(), line: 1, column: 1 }]
        })?
        .into_source();
    Ok(Compiled { compiled_js: transpiled.text, source_map: transpiled.source_map })
}

fn diagnostic(d: &deno_ast::ParseDiagnostic) -> Diagnostic {
    let pos = d.display_position();
    Diagnostic {
        severity: "error",
        message: d.message().into_owned(),
        line: pos.line_number,
        column: pos.column_number,
    }
}

/// The source line of a diagnostic with a caret under its column, for error messages:
/// ```text
///   3 | const x: number = ;
///     |                   ^
/// ```
pub fn caret_excerpt(source: &str, line: usize, column: usize) -> String {
    let Some(text) = source.lines().nth(line.saturating_sub(1)) else { return String::new() };
    let gutter = line.to_string();
    let pad: String = text
        .chars()
        .take(column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("{gutter} | {text}\n{} | {pad}^", " ".repeat(gutter.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_types_and_keeps_default_export() {
        let out = compile("export default (ctx: { args: number }): number => ctx.args + 1;", false)
            .expect("valid TypeScript compiles");
        assert!(out.compiled_js.contains("export default"));
        assert!(!out.compiled_js.contains(": number"));
        assert!(out.source_map.is_none());
    }

    #[test]
    fn syntax_error_reports_one_based_line_and_column() {
        let errs = compile("export default () => {\n  const x: number = ;\n};", false).unwrap_err();
        assert_eq!(errs[0].line, 2);
        assert_eq!(errs[0].column, 21);
        assert_eq!(errs[0].severity, "error");
        assert!(!errs[0].message.is_empty());
    }

    #[test]
    fn source_map_is_produced_on_request() {
        let out = compile("export default (): string => 'x';", true).unwrap();
        let map: serde_json::Value = serde_json::from_str(out.source_map.as_deref().unwrap()).unwrap();
        assert_eq!(map["version"], 3);
    }

    #[test]
    fn options_reject_unknown_keys_and_wrong_types() {
        let err = CompilerOpts::from_json(&serde_json::json!({"sourcemap": true})).unwrap_err();
        assert!(err.contains("\"sourcemap\"") && err.contains("source_map"), "{err}");
        assert!(CompilerOpts::from_json(&serde_json::json!({"source_map": 1})).is_err());
        assert!(CompilerOpts::from_json(&serde_json::json!([])).is_err());
        assert!(CompilerOpts::from_json(&serde_json::json!({"source_map": true})).unwrap().source_map);
    }

    #[test]
    fn fingerprint_names_real_versions_and_output_options() {
        let a = fingerprint(&CompilerOpts { source_map: false });
        let b = fingerprint(&CompilerOpts { source_map: true });
        assert_ne!(a, b);
        assert!(a.contains(&format!("deno_ast@{}", env!("PLTS_DENO_AST_VERSION"))));
        assert!(env!("PLTS_DENO_AST_VERSION").chars().next().unwrap().is_ascii_digit());
    }

    #[test]
    fn caret_points_at_the_column() {
        let ex = caret_excerpt("a\nlet x = ;", 2, 9);
        assert_eq!(ex, "2 | let x = ;\n  |         ^");
    }
}

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

/// The name deno_ast gives the one file it transpiles; a source map entry naming it points into
/// the function body itself.
pub const SPECIFIER: &str = "file:///plts/function.ts";

/// The comment that ends a body `stopgap deploy` bundled: the bundle's own source map, whose
/// `sources` are the project's files and packages (`functions/items.ts`, `npm:date-fns@4.1.0/...`).
const INLINE_MAP: &str = "//# sourceMappingURL=data:application/json;base64,";

/// Transpiles one TypeScript module. A source map is always produced when `want_map`
/// is set; the runtime asks for one to point JS stack traces at TypeScript lines. A body that ends
/// with an inline source map (a bundle) gets a map through it, to the files it was bundled from.
pub fn compile(source: &str, want_map: bool) -> CompileResult {
    let (source, bundle_map) = split_inline_map(source);
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
    let source_map = match (transpiled.source_map, bundle_map) {
        (Some(ours), Some(url)) => Some(through_bundle_map(&ours, url).unwrap_or(ours)),
        (ours, _) => ours,
    };
    Ok(Compiled { compiled_js: transpiled.text, source_map })
}

/// The body without its trailing inline source map comment, and the comment's data URL.
fn split_inline_map(source: &str) -> (&str, Option<&str>) {
    let trimmed = source.trim_end();
    let start = trimmed.rfind('\n').map_or(0, |i| i + 1);
    match trimmed[start..].strip_prefix("//# sourceMappingURL=") {
        Some(url) if trimmed[start..].starts_with(INLINE_MAP) => (&source[..start], Some(url)),
        _ => (source, None),
    }
}

/// Our map (transpiled JS → body) composed with the bundle's (body → its files). A bundle map
/// that does not decode is ignored: stack traces then show positions in the body.
fn through_bundle_map(ours: &str, data_url: &str) -> Option<String> {
    use deno_ast::swc::sourcemap::{decode_data_url, DecodedMap, SourceMap};
    let ours = SourceMap::from_slice(ours.as_bytes()).ok()?;
    let DecodedMap::Regular(mut bundle) = decode_data_url(data_url).ok()? else { return None };
    bundle.adjust_mappings(&ours);
    let mut out = Vec::new();
    bundle.to_writer(&mut out).ok()?;
    String::from_utf8(out).ok()
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
    fn a_bundles_inline_map_carries_positions_to_its_own_files() {
        // A two-line "bundle" whose map says line 2 came from functions/x.ts line 10, column 3.
        let map = r#"{"version":3,"sources":["functions/x.ts"],"names":[],"mappings":";AASE"}"#;
        let encoded = base64_encode(map.as_bytes());
        let body = format!("// header\nexport default () => {{ throw new Error(\"x\"); }};\n{INLINE_MAP}{encoded}\n");
        let out = compile(&body, true).unwrap();
        assert!(!out.compiled_js.contains("sourceMappingURL"), "{}", out.compiled_js);
        let map = deno_ast::swc::sourcemap::SourceMap::from_slice(out.source_map.unwrap().as_bytes()).unwrap();
        let line = out.compiled_js.lines().position(|l| l.contains("throw")).unwrap() as u32;
        let column = out.compiled_js.lines().nth(line as usize).unwrap().find("export").unwrap_or(0) as u32;
        let token = map.lookup_token(line, column).unwrap();
        assert_eq!(token.get_source().map(|s| s.to_string()).as_deref(), Some("functions/x.ts"));
        assert_eq!((token.get_src_line(), token.get_src_col()), (9, 2));
    }

    #[test]
    fn a_body_without_an_inline_map_keeps_its_own_positions() {
        let out = compile("export default () => 1;\n// sourceMappingURL is only a word here\n", true).unwrap();
        let map: serde_json::Value = serde_json::from_str(out.source_map.as_deref().unwrap()).unwrap();
        assert_eq!(map["sources"][0], SPECIFIER);
    }

    fn base64_encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | *b as u32) << (8 * (3 - chunk.len()));
            for i in 0..4 {
                out.push(if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char } else { '=' });
            }
        }
        out
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

//! A compiled function body ready for the engine: JS text, its module name and source map.

use deno_ast::swc::sourcemap::SourceMap;

pub struct Program {
    /// Unique per function version (`plts:16384@1234.5`); QuickJS names stack frames by it.
    pub module_name: String,
    /// What users see in stack traces: `public.add.ts`.
    pub display_name: String,
    pub js: String,
    source_map: Option<SourceMap>,
}

impl Program {
    pub fn new(module_name: String, display_name: String, js: String, source_map: Option<&str>) -> Self {
        // A map that does not parse only costs TS positions in stack traces; JS positions remain.
        let source_map = source_map.and_then(|m| SourceMap::from_slice(m.as_bytes()).ok());
        Self { module_name, display_name, js, source_map }
    }

    /// 1-based JS position → 1-based TypeScript position, with the file it is in when that is
    /// not the body itself (a deployed bundle's `functions/items.ts` or `npm:date-fns@4.1.0/...`).
    pub fn original_position(&self, line: u32, column: u32) -> Option<(Option<&str>, u32, u32)> {
        let token = self.source_map.as_ref()?.lookup_token(line.checked_sub(1)?, column.saturating_sub(1))?;
        let file = token.get_source().map(|s| &**s).filter(|s| *s != crate::compiler::SPECIFIER);
        Some((file, token.get_src_line() + 1, token.get_src_col() + 1))
    }
}

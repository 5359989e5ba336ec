//! Module resolution: `data:` URLs and the built-in bare specifiers. Nothing else can be
//! imported: there is no filesystem or network inside the database.

use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::Declared;
use rquickjs::{Ctx, Error, Module, Result};

/// A built-in module: bundled by build.rs from `runtime/` and the valibot version pinned in
/// deno.json, and compiled by build.rs to QuickJS bytecode (the source is the fallback).
pub struct Builtin {
    pub specifier: &'static str,
    source: &'static str,
    bytecode: &'static [u8],
}

/// The built-in modules, in the order of runtime/builtins/modules.json: build.rs generates this
/// list from that file, the one compiler/compile.ts reads too.
pub const BUILTINS: &[Builtin] = include!(concat!(env!("OUT_DIR"), "/builtins.rs"));

impl Builtin {
    fn declare<'js>(&self, ctx: &Ctx<'js>) -> Result<Module<'js, Declared>> {
        // SAFETY: the bytes were written by QuickJS from this very rquickjs version at build
        // time, and are 'static (read with ROM_DATA, they must outlive the module).
        match unsafe { Module::load(ctx.clone(), self.bytecode) } {
            Ok(module) => Ok(module),
            Err(_) => Module::declare(ctx.clone(), self.specifier, self.source),
        }
    }
}

const SUPPORTED: &str = "supported forms: data: URLs (data:text/javascript,...) and the built-in modules";

pub struct PltsResolver;

impl Resolver for PltsResolver {
    fn resolve<'js>(&mut self, ctx: &Ctx<'js>, _base: &str, name: &str, _: Option<ImportAttributes<'js>>) -> Result<String> {
        if name.starts_with("data:") || BUILTINS.iter().any(|b| b.specifier == name) {
            return Ok(name.to_string());
        }
        let builtins: Vec<&str> = BUILTINS.iter().map(|b| b.specifier).collect();
        let list = builtins.join(", ");
        Err(throw_type_error(
            ctx,
            &format!("cannot import \"{name}\": {SUPPORTED} ({list}); bundle other code into the function with `stopgap deploy`"),
        ))
    }
}

pub struct PltsLoader;

impl Loader for PltsLoader {
    fn load<'js>(&mut self, ctx: &Ctx<'js>, name: &str, _: Option<ImportAttributes<'js>>) -> Result<Module<'js, Declared>> {
        if let Some(builtin) = BUILTINS.iter().find(|b| b.specifier == name) {
            return builtin.declare(ctx);
        }
        let source = decode_data_url(name).map_err(|why| throw_type_error(ctx, &format!("cannot import {name:.80}: {why}")))?;
        Module::declare(ctx.clone(), name, source)
    }
}

fn throw_type_error(ctx: &Ctx<'_>, message: &str) -> Error {
    rquickjs::Exception::throw_type(ctx, message)
}

/// `data:[<mediatype>][;base64],<data>` → module source text.
pub fn decode_data_url(url: &str) -> std::result::Result<Vec<u8>, String> {
    let rest = url.strip_prefix("data:").ok_or("not a data: URL")?;
    let (meta, data) = rest.split_once(',').ok_or("a data: URL needs a comma before its data")?;
    let media = meta.split(';').next().unwrap_or("");
    if !matches!(media, "" | "text/javascript" | "application/javascript") {
        return Err(format!("media type \"{media}\" is not JavaScript (use text/javascript)"));
    }
    if meta.split(';').any(|p| p == "base64") {
        base64_decode(data)
    } else {
        percent_decode(data)
    }
}

fn percent_decode(s: &str) -> std::result::Result<Vec<u8>, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or("truncated %-escape")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad %-escape \"%{hex}\""))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn base64_decode(s: &str) -> std::result::Result<Vec<u8>, String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).ok_or("invalid base64 data")? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls_decode_plain_and_base64() {
        assert_eq!(decode_data_url("data:text/javascript,export%20default%201").unwrap(), b"export default 1");
        assert_eq!(decode_data_url("data:text/javascript;base64,ZXhwb3J0IGRlZmF1bHQgMQ==").unwrap(), b"export default 1");
        assert!(decode_data_url("data:text/html,<b>").unwrap_err().contains("text/html"));
        assert!(decode_data_url("data:text/javascript").is_err());
    }
}

//! Turning a thrown JS value into a [`JsError`], with stack positions mapped back to TypeScript.

use rquickjs::{Ctx, Object, Value};

use crate::ctx::{JsError, JsErrorKind, Program};
use crate::db_error::DbError;

/// The description of `throw null`, which is also what QuickJS throws when it runs out of memory.
pub const NULL_THROWN: &str = "non-Error value thrown: null";

/// Reads the pending exception of `ctx` (after an `Error::Exception`).
pub fn caught(ctx: &Ctx<'_>, programs: &[&Program]) -> JsError {
    describe(ctx, ctx.catch(), programs)
}

/// Describes a thrown (or rejected) value: Error objects keep name, message and stack;
/// anything else (a string, an object, undefined) is described so the user sees what it was.
pub fn describe<'js>(ctx: &Ctx<'js>, thrown: Value<'js>, programs: &[&Program]) -> JsError {
    let error_ctor: Option<Object> = ctx.globals().get("Error").ok();
    if let Some(object) = thrown.as_object() {
        if error_ctor.as_ref().is_some_and(|e| object.is_instance_of(e)) {
            let name: String = object.get("name").unwrap_or_else(|_| "Error".into());
            let message: String = object.get("message").unwrap_or_default();
            let stack: Option<String> = object.get("stack").ok();
            let kind = classify(&name, &message);
            let text = if message.is_empty() { name } else { format!("{name}: {message}") };
            let stack = stack.map(|s| map_stack(&s, programs)).filter(|s| !s.trim().is_empty());
            // ctx.db errors, and any Error that names its SQLSTATE (the runtime's ValidationError
            // uses 22023), fail the call with that SQLSTATE and their own message and detail.
            let pg = object.get::<_, Option<String>>("sqlstate").ok().flatten().filter(|s| is_sqlstate(s));
            let pg = pg.map(|sqlstate| {
                Box::new(DbError {
                    sqlstate,
                    message: object.get("message").unwrap_or_default(),
                    detail: object.get::<_, Option<String>>("detail").ok().flatten(),
                    hint: object.get::<_, Option<String>>("hint").ok().flatten(),
                    position: None,
                })
            });
            return JsError { kind, message: text, stack, pg };
        }
    }
    let shown = if thrown.is_undefined() {
        "undefined".to_string()
    } else if let Some(s) = thrown.as_string() {
        format!("{:?}", s.to_string().unwrap_or_default())
    } else {
        ctx.json_stringify(thrown)
            .ok()
            .flatten()
            .and_then(|s| s.to_string().ok())
            .unwrap_or_else(|| "a value that cannot be shown".into())
    };
    JsError::new(JsErrorKind::Thrown, format!("non-Error value thrown: {shown}"))
}

fn is_sqlstate(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

fn classify(name: &str, message: &str) -> JsErrorKind {
    match (name, message) {
        ("InternalError", "interrupted") => JsErrorKind::Interrupted,
        ("InternalError", "out of memory") => JsErrorKind::OutOfMemory,
        ("RangeError" | "InternalError", m) if m.contains("stack overflow") || m.contains("call stack size") => {
            JsErrorKind::StackOverflow
        }
        _ => JsErrorKind::Thrown,
    }
}

/// Rewrites `module_name:line:col` positions in a QuickJS stack into TypeScript positions
/// `schema.fn.ts:line:col` using each program's source map; a deployed bundle's positions name
/// the files it was bundled from (`functions/items.ts:52:7`).
pub fn map_stack(stack: &str, programs: &[&Program]) -> String {
    // The outermost frames are the prelude's invoker, which called the handler: not user code.
    let mut lines: Vec<&str> = stack.trim_end().lines().collect();
    while lines.len() > 1 && lines.last().is_some_and(|l| l.contains("(plts:ctx:")) {
        lines.pop();
    }
    // Frames inside the built-in modules are minified bundle positions that help nobody and
    // change with every runtime release.
    lines.retain(|l| !super::loader::BUILTINS.iter().any(|b| l.contains(&format!("({}:", b.specifier))));
    // Positions inside the prelude (ctx.db, ctx.log) change with plts releases; its frames
    // read `(plts:ctx)`: which API was called is what helps.
    let lines: Vec<String> = lines.iter().map(|l| without_prelude_position(l)).collect();
    let mut out = lines.join("\n");
    for program in programs {
        out = map_positions(&out, program);
    }
    out
}

fn without_prelude_position(line: &str) -> String {
    match line.find("(plts:ctx:") {
        Some(at) => match line[at..].find(')') {
            Some(end) => format!("{}(plts:ctx){}", &line[..at], &line[at + end + 1..]),
            None => line.to_string(),
        },
        None => line.to_string(),
    }
}

fn map_positions(stack: &str, program: &Program) -> String {
    let needle = format!("{}:", program.module_name);
    let mut out = String::with_capacity(stack.len());
    let mut rest = stack;
    while let Some(at) = rest.find(&needle) {
        out.push_str(&rest[..at]);
        let after = &rest[at + needle.len()..];
        let (line, after_line) = take_number(after);
        let (col, after_col) = match after_line.strip_prefix(':') {
            Some(s) => take_number(s),
            None => (None, after_line),
        };
        let mapped = line.and_then(|l| program.original_position(l, col.unwrap_or(1)));
        match (mapped, line) {
            (Some((file, l, c)), _) => out.push_str(&format!("{}:{l}:{c}", file.unwrap_or(&program.display_name))),
            (None, Some(l)) => {
                out.push_str(&format!("{}.js:{l}", program.display_name));
                if let Some(c) = col {
                    out.push_str(&format!(":{c}"));
                }
            }
            (None, None) => out.push_str(&needle),
        }
        rest = if line.is_some() { after_col } else { after };
    }
    out.push_str(rest);
    out
}

fn take_number(s: &str) -> (Option<u32>, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    (s[..end].parse().ok(), &s[end..])
}

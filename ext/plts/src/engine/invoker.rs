//! The function plts calls for each call of one program: `(nowMs, ...values)` sets the clock,
//! builds ctx and calls the handler. It is generated per program, so that the argument names are
//! literal keys: QuickJS interns them once, at compile time, where a computed key (`{ [name]: v }`)
//! is converted to an atom on every call.

use rquickjs::{Ctx, Function, Object, Result, Value};

/// Builds the invoker of `handler` with SQL argument `names` (`args_is_value`: `ctx.args` is the
/// single argument itself). `parts` is what prelude.js returned: `{ context, clock }`.
///
/// With `validated` (a wrapper's call for arguments already checked, args_shape.rs), also returns
/// its invoker, `(nowMs, args)`, which calls `validated(args, ctx)` with the same ctx.
pub fn build<'js>(
    ctx: &Ctx<'js>,
    parts: &Object<'js>,
    handler: Function<'js>,
    fn_info: Value<'js>,
    names: &[String],
    args_is_value: bool,
    validated: Option<Function<'js>>,
) -> Result<(Function<'js>, Option<Function<'js>>)> {
    let factory: Function = super::eval_internal(ctx, source(names, args_is_value))?;
    let context: Value = parts.get("context")?;
    let clock: Value = parts.get("clock")?;
    let has_validated = validated.is_some() && args_is_value;
    let invoke: Function = factory.call((handler, fn_info, context, clock, validated))?;
    let invoke_validated = if has_validated { Some(invoke.get("validated")?) } else { None };
    Ok((invoke, invoke_validated))
}

/// The factory's JavaScript. The prefixes of the arguments object are kept alive as `shapes`:
/// QuickJS frees an object shape with its last object, and then builds it again on every call.
fn source(names: &[String], args_is_value: bool) -> String {
    let values: Vec<String> = (0..names.len()).map(|i| format!("x{i}")).collect();
    let args = if args_is_value {
        "x0".to_string()
    } else {
        object_literal(names.iter().zip(&values).map(|(n, v)| (n.as_str(), v.as_str())))
    };
    let shapes: Vec<String> = if args_is_value {
        Vec::new()
    } else {
        (1..=names.len()).map(|n| object_literal(names[..n].iter().map(|name| (name.as_str(), "0")))).collect()
    };
    let params = std::iter::once("nowMs".to_string()).chain(values.iter().cloned()).collect::<Vec<_>>().join(", ");
    // ctx.fn lives on a per-program prototype: one property less to define on every call (~400
    // instructions of the ~1,700 that building ctx costs).
    format!(
        "(function (handler, fn, context, clock, validated) {{\n\
         \"use strict\";\n\
         const proto = Object.create(context, {{ fn: {{ value: fn, writable: true, enumerable: true, configurable: true }} }});\n\
         const invoke = ({params}) => {{ clock.ms = nowMs; return handler({{ __proto__: proto, args: {args} }}, {values}); }};\n\
         invoke.shapes = [{shapes}];\n\
         {validated}\
         return invoke;\n\
         }})",
        values = values.join(", "),
        shapes = shapes.join(", "),
        validated = if args_is_value {
            "if (validated) invoke.validated = (nowMs, x0) => { clock.ms = nowMs; return validated(x0, { __proto__: proto, args: x0 }); };\n"
        } else {
            ""
        },
    )
}

/// `{ "a": x0, ["__proto__"]: x1 }`: keys as JSON string literals; `__proto__` computed, so that it
/// is an own property and not the prototype.
fn object_literal<'a>(entries: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let fields: Vec<String> = entries
        .map(|(name, value)| {
            let key = serde_json::to_string(name).expect("a string serializes");
            if name == "__proto__" { format!("[{key}]: {value}") } else { format!("{key}: {value}") }
        })
        .collect();
    format!("{{ {} }}", fields.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_names_become_literal_keys_and_proto_stays_an_own_property() {
        let names = ["a".to_string(), "__proto__".to_string(), "quote\"d".to_string()];
        let text = source(&names, false);
        assert!(text.contains(r#"args: { "a": x0, ["__proto__"]: x1, "quote\"d": x2 }"#), "{text}");
        assert!(text.contains("(nowMs, x0, x1, x2)"), "{text}");
        assert!(text.contains(r#"invoke.shapes = [{ "a": 0 }, { "a": 0, ["__proto__"]: 0 }"#), "{text}");
    }

    #[test]
    fn a_jsonb_argument_is_ctx_args_itself() {
        let text = source(&["args".to_string()], true);
        assert!(text.contains("args: x0 }, x0)"), "{text}");
        assert!(text.contains("invoke.shapes = [];"), "{text}");
        assert!(text.contains("return validated(x0, { __proto__: proto, args: x0 });"), "{text}");
    }
}

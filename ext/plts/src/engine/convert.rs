//! JS value conversion: [`SqlValue`] and [`SqlRef`] → JS, JS → [`JsOut`]. The only place that knows both.

use rquickjs::{qjs, BigInt, Ctx, FromJs, Function, Object, Result, Type, TypedArray, Value};

use super::{json_in, kept_shapes, key_atoms, raw, shared_values};
use super::json_out::{self, PlainShapes};
use std::rc::Rc;

use crate::values::{Expect, JsOut, NaturalType, RowOut, RowShape, SqlRef, SqlValue, MAX_SAFE_INTEGER};

/// A column value as an owned raw JS value: the common scalars directly, the rest through
/// [`to_js`] (the same mapping either way).
pub fn cell_to_js(ctx: &Ctx<'_>, cell: SqlRef<'_>) -> Result<qjs::JSValue> {
    let raw_ctx = ctx.as_raw().as_ptr();
    match cell {
        SqlRef::Null => Ok(qjs::JS_NULL),
        SqlRef::Bool(b) => Ok(if b { qjs::JS_TRUE } else { qjs::JS_FALSE }),
        // SAFETY: `raw_ctx` is the live context of `ctx`.
        SqlRef::Int(i) => Ok(unsafe { raw::new_number(raw_ctx, f64::from(i)) }),
        // SAFETY: `raw_ctx` is the live context of `ctx`.
        SqlRef::Text(text) => unsafe { raw::new_string(raw_ctx, text) },
        // SAFETY: `raw_ctx` is the live context of `ctx`.
        SqlRef::String(text) => unsafe { raw::new_string(raw_ctx, &text) },
        SqlRef::Value(value) => {
            let value = to_js(ctx, &value)?;
            // SAFETY: a new reference for the caller; `value` drops its own.
            Ok(unsafe { raw::dup(raw_ctx, value.as_raw()) })
        }
    }
}

pub fn to_js<'js>(ctx: &Ctx<'js>, value: &SqlValue) -> Result<Value<'js>> {
    Ok(match value {
        SqlValue::Null => Value::new_null(ctx.clone()),
        SqlValue::Bool(b) => Value::new_bool(ctx.clone(), *b),
        SqlValue::Int(i) => Value::new_int(ctx.clone(), *i),
        SqlValue::Int8(i) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(i) => {
            Value::new_number(ctx.clone(), *i as f64)
        }
        SqlValue::Int8(i) => BigInt::from_i64(ctx.clone(), *i)?.into_value(),
        SqlValue::Float(f) => Value::new_float(ctx.clone(), *f),
        SqlValue::Numeric(s) | SqlValue::Text(s) => rquickjs::String::from_str(ctx.clone(), s)?.into_value(),
        SqlValue::Json(text) => ctx.json_parse(text.as_str())?,
        SqlValue::Jsonb(doc) => json_in::to_js(ctx, doc)?,
        SqlValue::Bytes(bytes) => TypedArray::<u8>::new(ctx.clone(), bytes.as_slice())?.into_value(),
        // The intrinsic Date, not the global: no user code runs while SQL values are converted
        // (rows are converted inside the statement's subtransaction).
        // SAFETY: a live context; the new Date is owned by the returned Value.
        SqlValue::Timestamp(ms) => unsafe {
            Value::from_raw(ctx.clone(), raw::new_date(ctx.as_raw().as_ptr(), *ms)?)
        },
        SqlValue::Shared(shared) => shared_values::to_js(ctx, shared, || to_js(ctx, shared))?,
        SqlValue::Row(members) => {
            // SAFETY: a live context; the object is owned by its guard until returned.
            unsafe { Value::from_raw(ctx.clone(), row_object(ctx, members)?) }
        }
        SqlValue::Array(items) => {
            let array = rquickjs::Array::new(ctx.clone())?;
            for (i, item) in items.iter().enumerate() {
                array.set(i, to_js(ctx, item)?)?;
            }
            array.into_value()
        }
    })
}

/// A row's object, its keys made through the key cache and its shapes kept: every value of a
/// composite type has the same keys, so the next one finds them made.
fn row_object(ctx: &Ctx<'_>, members: &[(String, SqlValue)]) -> Result<qjs::JSValue> {
    let raw_ctx = ctx.as_raw().as_ptr();
    let mut keys = [qjs::JS_ATOM_NULL; kept_shapes::MAX_KEYS];
    // SAFETY: `raw_ctx` is the live context of `ctx`; the guard owns the new object until it is
    // returned; each member value is a new reference that `define` takes; each atom is freed once,
    // after the object took its own reference (or failed to).
    unsafe {
        let object = raw::OwnedValue::new(raw_ctx, raw::new_object(raw_ctx, None)?);
        for (i, (name, value)) in members.iter().enumerate() {
            let atom = key_atoms::atom(raw_ctx, name)?;
            // Defined, not assigned: a column named "__proto__" is an own property.
            let defined = to_js(ctx, value).and_then(|v| raw::define(raw_ctx, object.get(), atom, raw::dup(raw_ctx, v.as_raw())));
            qjs::JS_FreeAtom(raw_ctx, atom);
            defined?;
            if let Some(slot) = keys.get_mut(i) {
                *slot = atom;
            }
        }
        if members.len() <= keys.len() {
            // The object holds its key atoms; the context forgets kept objects before it is freed.
            kept_shapes::keep(raw_ctx, &keys[..members.len()]);
        }
        Ok(object.into_raw())
    }
}

/// A plain own data property (writable, enumerable, configurable), like an object literal's.
pub fn data_property(value: Value<'_>) -> rquickjs::object::Property<Value<'_>> {
    rquickjs::object::Property::from(value).writable().enumerable().configurable()
}

/// Reads a JS value into [`JsOut`]. With `as_json`, the whole value becomes JSON text
/// (for json/jsonb results), so JSON's own rules apply (`undefined` members vanish,
/// BigInt is a TypeError).
pub fn from_js<'js>(ctx: &Ctx<'js>, value: Value<'js>, as_json: bool, shapes: &PlainShapes) -> Result<JsOut> {
    if value.is_undefined() || value.is_null() {
        return Ok(JsOut::Null);
    }
    if as_json {
        if let Some(doc) = json_out::to_json_doc(ctx, &value, shapes) {
            return Ok(JsOut::JsonDoc(doc));
        }
        return Ok(match stringify(ctx, value)? {
            Some(text) => JsOut::Json(text),
            None => JsOut::Null, // functions and symbols stringify to undefined
        });
    }
    Ok(match value.type_of() {
        Type::Bool => JsOut::Bool(value.as_bool().unwrap_or_default()),
        Type::Int => JsOut::Number(f64::from(value.as_int().unwrap_or_default())),
        Type::Float => JsOut::Number(value.as_float().unwrap_or_default()),
        Type::String => JsOut::String(String::from_js(ctx, value)?),
        Type::BigInt => {
            let to_string: Function = ctx.globals().get("String")?;
            JsOut::BigInt(to_string.call((value,))?)
        }
        Type::Array => {
            let array = rquickjs::Array::from_js(ctx, value)?;
            let mut items = Vec::with_capacity(array.len());
            for item in array.iter::<Value>() {
                items.push(from_js(ctx, item?, false, shapes)?);
            }
            JsOut::Array(items)
        }
        Type::Object => {
            if let Ok(bytes) = TypedArray::<u8>::from_js(ctx, value.clone()) {
                // SAFETY: the bytes are copied at once, before any JS runs that could detach the buffer.
                let copied = unsafe { bytes.as_bytes() }.unwrap_or_default().to_vec();
                return Ok(JsOut::Bytes(copied));
            }
            if let Some(bytes) = buffer_bytes(ctx, &value)? {
                return Ok(JsOut::Bytes(bytes));
            }
            let object = Object::from_js(ctx, value.clone())?;
            let date: Object = ctx.globals().get("Date")?;
            if object.is_instance_of(&date) {
                let get_time: Function = object.get("getTime")?;
                return Ok(JsOut::Date(get_time.call((rquickjs::function::This(object),))?));
            }
            if let Some(doc) = json_out::to_json_doc(ctx, &value, shapes) {
                return Ok(JsOut::Object(doc.to_json_text()));
            }
            match stringify(ctx, value)? {
                Some(text) => JsOut::Object(text),
                None => JsOut::Null,
            }
        }
        other => JsOut::String(format!("<{}>", other.as_str())),
    })
}

/// Reads a JS value into [`JsOut`] for what it is expected to be: [`Expect::Row`] takes an
/// object's own enumerable keys and their values (each converted for its column), anything else
/// is read as [`from_js`] reads it.
#[inline]
pub fn from_js_expecting<'js>(ctx: &Ctx<'js>, value: Value<'js>, expect: &Expect, shapes: &PlainShapes) -> Result<JsOut> {
    match expect {
        Expect::Value => from_js(ctx, value, false, shapes),
        Expect::Json => from_js(ctx, value, true, shapes),
        Expect::Row(shape) => row_from_js(ctx, value, shape, shapes),
        Expect::TriggerRow(_) if value.is_undefined() => Ok(JsOut::Undefined),
        Expect::TriggerRow(shape) => row_from_js(ctx, value, shape, shapes),
        Expect::Array(element) => array_from_js(ctx, value, element, shapes),
    }
}

/// An array's elements, each converted for `element` (JSON or a row); anything else is read as
/// [`from_js`] reads it.
fn array_from_js<'js>(ctx: &Ctx<'js>, value: Value<'js>, element: &Expect, shapes: &PlainShapes) -> Result<JsOut> {
    let Some(array) = value.as_array().cloned() else { return from_js(ctx, value, false, shapes) };
    let mut items = Vec::with_capacity(array.len());
    for item in array.iter::<Value>() {
        items.push(from_js_expecting(ctx, item?, element, shapes)?);
    }
    Ok(JsOut::Array(items))
}

/// An object's own enumerable keys read for a row of `shape` ([`RowOut`]); anything that is not a
/// plain object (an array, a Date, a typed array, a primitive) is read as [`from_js`] reads it,
/// for the mismatch error.
fn row_from_js<'js>(ctx: &Ctx<'js>, value: Value<'js>, shape: &Rc<RowShape>, shapes: &PlainShapes) -> Result<JsOut> {
    if !shapes.is_ordinary_object(&value) {
        return from_js(ctx, value, false, shapes);
    }
    let raw_ctx = ctx.as_raw().as_ptr();
    // SAFETY: `value` is an object of the live `raw_ctx`. On success QuickJS hands over a table of
    // `len` own enumerable string keys, read while it lives and freed once.
    unsafe {
        let (mut table, mut len) = (std::ptr::null_mut(), 0u32);
        let flags = (qjs::JS_GPN_STRING_MASK | qjs::JS_GPN_ENUM_ONLY) as i32;
        if qjs::JS_GetOwnPropertyNames(raw_ctx, &mut table, &mut len, value.as_raw(), flags) < 0 {
            return Err(rquickjs::Error::Exception);
        }
        let keys = std::slice::from_raw_parts(table, len as usize);
        let row = read_row(ctx, &value, keys, shape, shapes);
        keep_row_shape(raw_ctx, keys);
        qjs::JS_FreePropertyEnum(raw_ctx, table, len);
        row.map(JsOut::Row)
    }
}

/// Keeps the shapes of a returned row's object (kept_shapes.rs). An object literal is built key by
/// key as plts builds its own objects, so once its shapes are kept, the handler's next row (the next
/// call's, or a generator's next yield) finds each step made instead of making and freeing it.
///
/// # Safety
/// `ctx` must be a live context, `keys` the own keys of one of its objects.
unsafe fn keep_row_shape(ctx: *mut qjs::JSContext, keys: &[qjs::JSPropertyEnum]) {
    let mut atoms = [qjs::JS_ATOM_NULL; kept_shapes::MAX_KEYS];
    if keys.len() > atoms.len() {
        return;
    }
    for (slot, key) in atoms.iter_mut().zip(keys) {
        *slot = key.atom;
    }
    // SAFETY: the caller's promise; the kept objects hold references of their own to the atoms.
    unsafe { kept_shapes::keep(ctx, &atoms[..keys.len()]) };
}

/// Each column's value from a row's object, matched by the key's text (from the key cache, not
/// copied) and converted for its column; the first key that is not a column is kept by name.
///
/// # Safety
/// `keys` must be own keys of `object`, a value of `ctx`.
unsafe fn read_row<'js>(
    ctx: &Ctx<'js>,
    object: &Value<'js>,
    keys: &[qjs::JSPropertyEnum],
    shape: &Rc<RowShape>,
    shapes: &PlainShapes,
) -> Result<RowOut> {
    let raw_ctx = ctx.as_raw().as_ptr();
    let mut values: Vec<Option<JsOut>> = vec![None; shape.columns.len()];
    let mut other_key = None;
    for key in keys {
        // SAFETY: `key.atom` is an atom of the live context's runtime (the caller's promise); the
        // callback makes and reads no key atoms.
        let found = unsafe { key_atoms::with_text(raw_ctx, key.atom, |text| text.map(|text| shape.position(text).ok_or_else(|| text.to_owned()))) };
        let found = match found {
            Some(found) => found,
            // A key with a lone surrogate (or no memory for its text): rquickjs's conversion says why.
            None => {
                // SAFETY: the atom is alive while the key table is; the key's string is a new
                // reference (or the exception marker), owned by the Value.
                let key = unsafe { Value::from_raw(ctx.clone(), raw::checked(qjs::JS_AtomToString(raw_ctx, key.atom))?) };
                let name = String::from_js(ctx, key)?;
                shape.position(&name).ok_or(name)
            }
        };
        let column = match found {
            Ok(column) => column,
            // Not a column: only its name matters (row.rs reports it, or ignores it).
            Err(name) => {
                other_key.get_or_insert(name);
                continue;
            }
        };
        // SAFETY: `object` is an object of the live context; the member is a new reference (or the
        // exception marker), owned by the Value.
        let member = unsafe { Value::from_raw(ctx.clone(), raw::checked(qjs::JS_GetProperty(raw_ctx, object.as_raw(), key.atom))?) };
        values[column] = Some(from_js_expecting(ctx, member, &shape.columns[column].1, shapes)?);
    }
    Ok(RowOut { shape: shape.clone(), values, other_key })
}

/// The bytes of an `ArrayBuffer`, or of the part of its buffer that a view (any typed array, a
/// `DataView`) covers; `None` for other objects.
fn buffer_bytes<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> Result<Option<Vec<u8>>> {
    let Some((buffer, offset, len)) = binary_view(ctx, value)? else { return Ok(None) };
    // SAFETY: the bytes are copied at once, before any JS runs that could detach the buffer.
    let bytes = unsafe { buffer.as_bytes() }.unwrap_or_default();
    Ok(Some(bytes.get(offset..offset.saturating_add(len)).unwrap_or_default().to_vec()))
}

/// An `ArrayBuffer` whole, or the buffer, offset and length a view (any typed array, a
/// `DataView`) covers; `None` for other values.
fn binary_view<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> Result<Option<(rquickjs::ArrayBuffer<'js>, usize, usize)>> {
    if let Ok(buffer) = rquickjs::ArrayBuffer::from_js(ctx, value.clone()) {
        let len = buffer.len();
        return Ok(Some((buffer, 0, len)));
    }
    let array_buffer: Object = ctx.globals().get("ArrayBuffer")?;
    let is_view: Function = array_buffer.get("isView")?;
    if !is_view.call::<_, bool>((value.clone(),))? {
        return Ok(None);
    }
    let view = Object::from_js(ctx, value.clone())?;
    let (offset, len): (f64, f64) = (view.get("byteOffset")?, view.get("byteLength")?);
    let buffer = rquickjs::ArrayBuffer::from_js(ctx, view.get("buffer")?)?;
    Ok(Some((buffer, offset as usize, len as usize)))
}

/// The SQL type a parameter's value has of itself, for a parameter the SQL leaves untyped.
pub fn natural_type<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> NaturalType {
    let integral = |n: f64| n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER as f64;
    match value.type_of() {
        Type::Bool => NaturalType::Bool,
        Type::Int => NaturalType::Int4,
        Type::Float => match value.as_float().unwrap_or(f64::NAN) {
            n if integral(n) && n >= f64::from(i32::MIN) && n <= f64::from(i32::MAX) => NaturalType::Int4,
            n if integral(n) => NaturalType::Int8,
            _ => NaturalType::Float8,
        },
        Type::BigInt => NaturalType::Int8,
        Type::String => NaturalType::Text,
        Type::Array => NaturalType::Jsonb,
        Type::Object => {
            if matches!(binary_view(ctx, value), Ok(Some(_))) {
                return NaturalType::Bytea;
            }
            let is_date = ctx.globals().get::<_, Object>("Date").is_ok_and(|date| {
                value.as_object().is_some_and(|object| object.is_instance_of(&date))
            });
            if is_date { NaturalType::Timestamptz } else { NaturalType::Jsonb }
        }
        _ => NaturalType::Unknown,
    }
}

/// QuickJS's own `JSON.stringify(value)`, for what json_out leaves to it.
fn stringify<'js>(ctx: &Ctx<'js>, value: Value<'js>) -> Result<Option<String>> {
    ctx.json_stringify(value)?.map(|text| text.to_string()).transpose()
}

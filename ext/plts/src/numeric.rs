//! numeric values read from PostgreSQL's on-disk form (utils/adt/numeric.c): base-10000 digits,
//! a weight (the power of 10000 of the first digit) and a display scale. Reading them here
//! skips `numeric_out`'s palloc'd text for the common values; NaN, ±Infinity and toasted
//! values are left to `numeric_out` (the callers fall back on `None`).

use std::ffi::{c_char, CStr};

use pgrx::pg_sys;

const NBASE: u64 = 10_000;
const DEC_DIGITS: usize = 4;

/// The parts of a numeric value.
pub struct Parts<'a> {
    pub negative: bool,
    /// Power of NBASE of the first digit.
    pub weight: i32,
    /// Digits after the decimal point to show.
    pub dscale: u32,
    /// Base-10000 digits, without leading or trailing zero digits.
    pub digits: &'a [u8],
}

impl Parts<'_> {
    fn digit(&self, i: usize) -> u64 {
        let bytes = [self.digits[2 * i], self.digits[2 * i + 1]];
        i16::from_ne_bytes(bytes) as u64
    }

    fn len(&self) -> usize {
        self.digits.len() / 2
    }
}

/// The parts of the numeric at `numeric` (a varlena with a 1- or 4-byte header), or `None` for
/// NaN, ±Infinity, and compressed or external values.
///
/// # Safety
/// `numeric` must point to a numeric varlena.
pub unsafe fn parts<'a>(numeric: *const u8) -> Option<Parts<'a>> {
    const NUMERIC_SIGN_MASK: u16 = 0xC000;
    const NUMERIC_NEG: u16 = 0x4000;
    const NUMERIC_SHORT: u16 = 0x8000;
    const NUMERIC_SHORT_SIGN_MASK: u16 = 0x2000;
    const NUMERIC_SHORT_DSCALE_MASK: u16 = 0x1F80;
    const NUMERIC_SHORT_DSCALE_SHIFT: u16 = 7;
    const NUMERIC_SHORT_WEIGHT_SIGN_MASK: u16 = 0x0040;
    const NUMERIC_SHORT_WEIGHT_MASK: u16 = 0x003F;
    const NUMERIC_DSCALE_MASK: u16 = 0x3FFF;
    // SAFETY: `numeric` points at a numeric varlena (the caller's promise). Its header is read
    // only as far as the checks allow: a 1-byte header that is not an external pointer, or an
    // uncompressed 4-byte one; then varsize_any is the value's size, so the body slice is in it.
    unsafe {
        let ptr = numeric.cast::<pg_sys::varlena>();
        let header_size = if pgrx::varatt_is_1b(ptr) && !pgrx::varatt_is_1b_e(ptr) {
            1
        } else if pgrx::varatt_is_4b_u(ptr) {
            4
        } else {
            return None;
        };
        let size = pgrx::varsize_any(ptr);
        let body = std::slice::from_raw_parts(numeric.add(header_size), size.checked_sub(header_size)?);
        let header = u16::from_ne_bytes([*body.first()?, *body.get(1)?]);
        Some(match header & NUMERIC_SIGN_MASK {
            NUMERIC_SHORT => Parts {
                negative: header & NUMERIC_SHORT_SIGN_MASK != 0,
                weight: i32::from(header & NUMERIC_SHORT_WEIGHT_MASK)
                    - if header & NUMERIC_SHORT_WEIGHT_SIGN_MASK != 0 { 64 } else { 0 },
                dscale: u32::from((header & NUMERIC_SHORT_DSCALE_MASK) >> NUMERIC_SHORT_DSCALE_SHIFT),
                digits: &body[2..],
            },
            NUMERIC_SIGN_MASK => return None, // NaN, ±Infinity
            sign => Parts {
                negative: sign == NUMERIC_NEG,
                weight: i32::from(i16::from_ne_bytes([*body.get(2)?, *body.get(3)?])),
                dscale: u32::from(header & NUMERIC_DSCALE_MASK),
                digits: body.get(4..)?,
            },
        })
    }
}

/// The nearest double, as parsing the numeric's text gives, when its digits make an integer
/// below 2^53 scaled by at most 10^±22: one multiplication or division of exact operands is
/// correctly rounded like every IEEE operation. `None` for the rest.
pub fn to_f64(parts: &Parts<'_>) -> Option<f64> {
    if parts.len() > 4 {
        return None;
    }
    let scaled = (0..parts.len()).fold(0u64, |n, i| n * NBASE + parts.digit(i));
    if scaled >= 1 << 53 {
        return None;
    }
    // The value is scaled × NBASE^(weight + 1 − digits).
    let exponent = DEC_DIGITS as i32 * (parts.weight + 1 - parts.len() as i32);
    let power = *crate::js_number::POW10.get(exponent.unsigned_abs() as usize)?;
    let value = if exponent >= 0 { scaled as f64 * power } else { scaled as f64 / power };
    Some(if parts.negative { -value } else { value })
}

/// `text` as `scaled / 10^places` when it is plain decimal text — an optional `-`, digits, and
/// optionally `.` and digits — of at most 15 digits in all: then [`from_scaled`] makes the same
/// numeric (value and display scale) as `numeric_in` of the text. `None` for the rest (signs,
/// spaces, exponents, NaN, longer values), which go to `numeric_in`.
pub fn parse_short_decimal(text: &str) -> Option<(i64, u32)> {
    const MAX_DIGITS: usize = 15; // × 1000 in int64_div_fast_to_numeric stays below 2^63
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let fraction = fraction.unwrap_or("");
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let plain = !whole.is_empty()
        && all_digits(whole)
        && (unsigned.len() == whole.len() || !fraction.is_empty())
        && all_digits(fraction)
        && whole.len() + fraction.len() <= MAX_DIGITS;
    if !plain {
        return None;
    }
    let scaled = whole.bytes().chain(fraction.bytes()).fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
    Some((if negative { -scaled } else { scaled }, fraction.len() as u32))
}

/// The numeric `scaled / 10^places`, shown with `places` digits after the point (palloc'd).
pub fn from_scaled(scaled: i64, places: u32) -> pg_sys::Datum {
    // SAFETY: both functions take plain integers, read no memory of ours, and return a palloc'd
    // numeric (or raise an ERROR).
    let numeric = unsafe {
        if places == 0 { pg_sys::int64_to_numeric(scaled) } else { pg_sys::int64_div_fast_to_numeric(scaled, places as i32) }
    };
    pg_sys::Datum::from(numeric)
}

/// The numeric's text, exactly as `numeric_out` writes it: the integer part without leading
/// zeros (`0` when there is none), then `dscale` digits after the point.
pub fn to_text(parts: &Parts<'_>) -> String {
    let mut out = String::with_capacity(DEC_DIGITS * (parts.len() + 2) + parts.dscale as usize + 2);
    if parts.negative {
        out.push('-');
    }
    let digit = |i: i32| if i >= 0 && (i as usize) < parts.len() { parts.digit(i as usize) } else { 0 };
    if parts.weight < 0 {
        out.push('0');
    } else {
        // The first base-10000 digit without leading zeros, the others with all four.
        let first = four_digits(digit(0));
        let skip = first.iter().take(DEC_DIGITS - 1).take_while(|&&b| b == b'0').count();
        push_ascii(&mut out, &first[skip..]);
        for i in 1..=parts.weight {
            push_ascii(&mut out, &four_digits(digit(i)));
        }
    }
    if parts.dscale > 0 {
        out.push('.');
        let start = out.len();
        let mut i = parts.weight + 1;
        while out.len() - start < parts.dscale as usize {
            push_ascii(&mut out, &four_digits(digit(i)));
            i += 1;
        }
        out.truncate(start + parts.dscale as usize);
    }
    out
}

/// A numeric's exact decimal text: read from its parts, else `numeric_out` called directly (no
/// type lookup per value). `numeric` must be a numeric Datum. Inlinable: numeric arguments and
/// columns take it on every call, from other modules (datum.rs, engine/convert.rs).
#[inline]
pub fn text(numeric: pg_sys::Datum) -> String {
    // SAFETY: `numeric` is a numeric Datum (the contract above: its type OID is NUMERICOID, or
    // it is a numeric inside a jsonb), i.e. a pointer to a numeric varlena.
    if let Some(parts) = unsafe { parts(numeric.cast_mut_ptr::<u8>()) } {
        return to_text(&parts);
    }
    // SAFETY: numeric_out takes one numeric argument, which `numeric` is; it returns a
    // palloc'd NUL-terminated C string, read here and then freed.
    unsafe {
        match pgrx::direct_function_call_as_datum(pg_sys::numeric_out, &[Some(numeric)]) {
            Some(text) => {
                let cstr = text.cast_mut_ptr::<c_char>();
                let out = CStr::from_ptr(cstr).to_string_lossy().into_owned();
                pg_sys::pfree(cstr.cast());
                out
            }
            None => "NaN".into(),
        }
    }
}

/// A base-10000 digit as four decimal ASCII digits (`core::fmt` costs several times more).
fn four_digits(d: u64) -> [u8; DEC_DIGITS] {
    [b'0' + (d / 1000) as u8, b'0' + (d / 100 % 10) as u8, b'0' + (d / 10 % 10) as u8, b'0' + (d % 10) as u8]
}

fn push_ascii(out: &mut String, digits: &[u8]) {
    out.extend(digits.iter().map(|&b| char::from(b)));
}

#[cfg(test)]
mod tests {
    use super::parse_short_decimal;

    #[test]
    fn plain_decimal_text_is_read_as_scaled_integer_and_places() {
        assert_eq!(parse_short_decimal("0"), Some((0, 0)));
        assert_eq!(parse_short_decimal("-12.50"), Some((-1250, 2)));
        assert_eq!(parse_short_decimal("007.0"), Some((70, 1)));
        assert_eq!(parse_short_decimal("-0.000"), Some((0, 3)));
        assert_eq!(parse_short_decimal("999999999999999"), Some((999_999_999_999_999, 0)));
        assert_eq!(parse_short_decimal("0.00000000000001"), Some((1, 14)));
    }

    #[test]
    fn other_numeric_text_is_left_to_numeric_in() {
        for text in [
            "", "-", ".5", "5.", "+5", " 5", "5 ", "1e5", "NaN", "Infinity", "-Infinity", "1.2.3", "--1", "1_000",
            "٣", "1000000000000000", "0.000000000000001", "12345678.12345678",
        ] {
            assert_eq!(parse_short_decimal(text), None, "{text:?}");
        }
    }
}

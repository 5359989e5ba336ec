//! JS's number text (`String(n)`, Number::toString) written in Rust, and the short decimals
//! that need no text at all: what json_doc.rs writes into JSON, datum.rs and jsonb.rs turn into
//! numerics, and values.rs shows in error messages.

use std::fmt::Write;

/// The powers of ten a double holds exactly.
pub const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22,
];

/// `n` as `scaled / 10^places` with at most 6 places, when that is JS's own (shortest) text for
/// it: safe integers, and the short decimals of prices and measures. `None` for the rest.
///
/// `scaled / 10^places` is one correctly rounded division of exact operands, so it equals `n`
/// exactly when that decimal reads back as `n`. Below 2^52, one unit of the last place is larger
/// than the spacing of doubles around `n`, so no other decimal with as few places reads back as
/// `n`: the first `places` that works gives the shortest text. (`n * 10^places` alone is not
/// enough: -324.15 * 100 is -32414.999..., and * 1000 is exactly -324150, i.e. "-324.150".)
pub fn short_decimal(n: f64) -> Option<(i64, u32)> {
    const LIMIT: f64 = 9.0e15; // below 2^53: every integer is exact
    const DECIMAL_LIMIT: f64 = 4_503_599_627_370_496.0; // 2^52
    if n.fract() == 0.0 && n.abs() < LIMIT {
        return Some((n as i64, 0));
    }
    // Below 1e-6 JS switches to exponent notation: 6 places keep the plain layout valid.
    (1..=6u32).find_map(|places| {
        let scaled = (n * POW10[places as usize]).round();
        (scaled.abs() < DECIMAL_LIMIT && scaled / POW10[places as usize] == n).then_some((scaled as i64, places))
    })
}

/// `String(n)` in JS (Number::toString, radix 10).
pub fn js_number_text(n: f64) -> String {
    let mut out = String::new();
    write_js_number(n, &mut out);
    out
}

/// Number::toString: the shortest digits that read back as `n` (Rust's `{:e}` gives them),
/// laid out plainly for exponents -7 < e < 21 and as `d.ddde±x` otherwise.
pub fn write_js_number(n: f64, out: &mut String) {
    if n.is_nan() {
        return out.push_str("NaN");
    }
    if n.is_infinite() {
        return out.push_str(if n > 0.0 { "Infinity" } else { "-Infinity" });
    }
    if n == 0.0 {
        return out.push('0'); // -0 too
    }
    if let Some((scaled, places)) = short_decimal(n) {
        if places == 0 {
            let _ = write!(out, "{scaled}");
        } else {
            let (sign, abs, unit) = (if scaled < 0 { "-" } else { "" }, scaled.unsigned_abs(), 10u64.pow(places));
            let _ = write!(out, "{sign}{}.{:0width$}", abs / unit, abs % unit, width = places as usize);
        }
        return;
    }
    let scientific = format!("{:e}", n.abs());
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} writes an exponent");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().expect("{:e} writes an integer exponent");
    let digits = even_on_tie(n.abs(), digits, exponent);
    // JS's n: the position of the decimal point relative to the digits.
    let (k, point) = (digits.len() as i32, exponent + 1);
    if n < 0.0 {
        out.push('-');
    }
    if k <= point && point <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - k) as usize));
    } else if 0 < point && point <= 21 {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    } else if -6 < point && point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let exponent = point - 1;
        let _ = write!(out, "e{}{}", if exponent >= 0 { "+" } else { "-" }, exponent.abs());
    }
}

/// Number::toString's rule when `n` lies exactly halfway between two shortest texts (the double
/// 1432935268652182.25, of which both ...182.2 and ...182.3 read back as it): the one with the even
/// last digit. Rust's shortest text may take the other one.
#[cold]
fn even_on_tie(n: f64, digits: String, exponent: i32) -> String {
    let k = digits.len();
    let last = digits.as_bytes()[k - 1] - b'0';
    if last.is_multiple_of(2) {
        return digits;
    }
    // A double's exact decimal expansion has at most 767 significant digits: 800 places show all of it.
    let exact = format!("{n:.800e}");
    let (exact_mantissa, exact_exponent) = exact.split_once('e').expect("{:e} writes an exponent");
    let exact_digits: Vec<u8> = exact_mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let tie = exact_exponent.parse::<i32>().ok() == Some(exponent)
        && exact_digits.get(k) == Some(&b'5')
        && exact_digits[k + 1..].iter().all(|&d| d == b'0');
    if !tie {
        return digits;
    }
    // The two candidates are the truncation of the exact value and the next one up; the even one
    // differs from Rust's in the last digit only (an odd last digit never carries into the next).
    let truncated_last = exact_digits[k - 1] - b'0';
    let even_last = if truncated_last == last { last + 1 } else { truncated_last };
    let mut even = digits.into_bytes();
    even[k - 1] = b'0' + even_last;
    String::from_utf8(even).expect("ASCII digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_javascript_writes_them() {
        // Expected texts are String(n) in JavaScript.
        let cases: [(f64, &str); 34] = [
            (0.0, "0"),
            (-0.0, "0"),
            (42.0, "42"),
            (-7.0, "-7"),
            (1.5, "1.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (2f64.powi(60), "1152921504606847000"),
            (9007199254740993.0, "9007199254740992"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (-1.5e-7, "-1.5e-7"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (123.456, "123.456"),
            (0.000123, "0.000123"),
            (1.2345e25, "1.2345e+25"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
            (2.5e-5, "0.000025"),
            (-0.05, "-0.05"),
            (3.5, "3.5"),
            (100.25, "100.25"),
            (1e-6 * 3.0, "0.000003"),
            (0.1 * 3.0, "0.30000000000000004"),
            (1234567.891, "1234567.891"),
            // n * 10^places is not always an integer at the shortest places: -324.15 * 100 is not.
            (-324.15, "-324.15"),
            (0.07, "0.07"),
            (-323.78, "-323.78"),
            (4503599627370495.5, "4503599627370495.5"),
            // Halfway between two shortest texts: the even last digit, as JavaScript chooses.
            (1432935268652182.2, "1432935268652182.2"),
            (1432935268652182.3, "1432935268652182.2"),
        ];
        for (n, expected) in cases {
            assert_eq!(js_number_text(n), expected, "String({n:e})");
        }
    }
}

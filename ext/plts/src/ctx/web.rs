//! The native side of the web-platform APIs of `web.js` that need more than JavaScript, through
//! well-kept crates: `URL` (the `url` crate's WHATWG API), `URLSearchParams` (its
//! `application/x-www-form-urlencoded` codec) and `crypto.subtle`'s digests and HMAC (`sha1`,
//! `sha2`, `hmac`).

use hmac::{Hmac, Mac};
use sha2::Digest;

/// A URL's parts, as the WHATWG URL API names them.
pub struct UrlParts {
    pub href: String,
    pub origin: String,
    pub protocol: String,
    pub username: String,
    pub password: String,
    pub host: String,
    pub hostname: String,
    pub port: String,
    pub pathname: String,
    pub search: String,
    pub hash: String,
}

fn parts(url: &url::Url) -> UrlParts {
    use url::quirks;
    UrlParts {
        href: quirks::href(url).into(),
        origin: quirks::origin(url),
        protocol: quirks::protocol(url).into(),
        username: quirks::username(url).into(),
        password: quirks::password(url).into(),
        host: quirks::host(url).into(),
        hostname: quirks::hostname(url).into(),
        port: quirks::port(url).into(),
        pathname: quirks::pathname(url).into(),
        search: quirks::search(url).into(),
        hash: quirks::hash(url).into(),
    }
}

/// `new URL(input, base)`: the parts, or why it is not a URL.
pub fn url_parse(input: &str, base: Option<&str>) -> Result<UrlParts, String> {
    let parsed = match base {
        Some(base) => url::Url::parse(base).map_err(|e| format!("invalid base URL {base:?}: {e}"))?.join(input),
        None => url::Url::parse(input),
    };
    parsed.map(|url| parts(&url)).map_err(|e| format!("invalid URL {input:?}: {e}"))
}

/// Sets one part of `href` as the URL API's setters do (a value that does not fit is ignored,
/// except for `href`, which must parse).
pub fn url_set(href: &str, part: &str, value: &str) -> Result<UrlParts, String> {
    use url::quirks;
    let mut url = url::Url::parse(href).map_err(|e| format!("invalid URL {href:?}: {e}"))?;
    match part {
        "href" => quirks::set_href(&mut url, value).map_err(|e| format!("invalid URL {value:?}: {e}"))?,
        "protocol" => quirks::set_protocol(&mut url, value).unwrap_or(()),
        "username" => quirks::set_username(&mut url, value).unwrap_or(()),
        "password" => quirks::set_password(&mut url, value).unwrap_or(()),
        "host" => quirks::set_host(&mut url, value).unwrap_or(()),
        "hostname" => quirks::set_hostname(&mut url, value).unwrap_or(()),
        "port" => quirks::set_port(&mut url, value).unwrap_or(()),
        "pathname" => quirks::set_pathname(&mut url, value),
        "search" => quirks::set_search(&mut url, value),
        "hash" => quirks::set_hash(&mut url, value),
        other => return Err(format!("URL has no settable part {other:?}")),
    }
    Ok(parts(&url))
}

/// The name/value pairs of an `application/x-www-form-urlencoded` string.
pub fn form_parse(input: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(input.trim_start_matches('?').as_bytes()).into_owned().collect()
}

/// Pairs as an `application/x-www-form-urlencoded` string.
pub fn form_serialize(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// The digest of `data` by `algorithm` (`SHA-1`, `SHA-256`, `SHA-384`, `SHA-512`, any case).
pub fn digest(algorithm: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    Ok(match algorithm.to_ascii_uppercase().as_str() {
        "SHA-1" => sha1::Sha1::digest(data).to_vec(),
        "SHA-256" => sha2::Sha256::digest(data).to_vec(),
        "SHA-384" => sha2::Sha384::digest(data).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        other => return Err(format!("crypto.subtle.digest: the algorithm {other:?} is not supported; plts has SHA-1, SHA-256, SHA-384 and SHA-512")),
    })
}

/// HMAC of `data` with `key` under `hash` (as [`digest`] names them): the signature, or, given
/// `expected`, whether it is the signature (compared in constant time by the `hmac` crate).
pub fn hmac(hash: &str, key: &[u8], data: &[u8], expected: Option<&[u8]>) -> Result<HmacOutcome, String> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8], expected: Option<&[u8]>) -> HmacOutcome {
        // KeyInit for HMAC takes a key of any length (hashed first when longer than a block).
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
        mac.update(data);
        match expected {
            Some(signature) => HmacOutcome::Verified(mac.verify_slice(signature).is_ok()),
            None => HmacOutcome::Signature(mac.finalize().into_bytes().to_vec()),
        }
    }
    Ok(match hash.to_ascii_uppercase().as_str() {
        "SHA-1" => run::<Hmac<sha1::Sha1>>(key, data, expected),
        "SHA-256" => run::<Hmac<sha2::Sha256>>(key, data, expected),
        "SHA-384" => run::<Hmac<sha2::Sha384>>(key, data, expected),
        "SHA-512" => run::<Hmac<sha2::Sha512>>(key, data, expected),
        other => return Err(format!("HMAC: the hash {other:?} is not supported; plts has SHA-1, SHA-256, SHA-384 and SHA-512")),
    })
}

/// What [`hmac`] computed.
#[derive(Debug, PartialEq, Eq)]
pub enum HmacOutcome {
    Signature(Vec<u8>),
    Verified(bool),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_set_as_the_whatwg_api_does() {
        let u = url_parse("../b?x=1#h", Some("https://user:pw@example.com:8080/a/c")).unwrap();
        assert_eq!(u.href, "https://user:pw@example.com:8080/b?x=1#h");
        assert_eq!((u.origin.as_str(), u.port.as_str(), u.search.as_str()), ("https://example.com:8080", "8080", "?x=1"));
        assert!(url_parse("not a url", None).is_err());
        assert_eq!(url_set(&u.href, "port", "9090").unwrap().host, "example.com:9090");
        // https's default port is no port
        assert_eq!(url_set(&u.href, "port", "443").unwrap().host, "example.com");
    }

    #[test]
    fn forms_and_digests() {
        assert_eq!(form_parse("?a=1&b=x+y&a=%E2%82%AC"), vec![("a".into(), "1".into()), ("b".into(), "x y".into()), ("a".into(), "€".into())]);
        assert_eq!(form_serialize(&[("q".into(), "a b&c".into())]), "q=a+b%26c");
        let hex = |b: Vec<u8>| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(hex(digest("sha-256", b"abc").unwrap()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(hex(digest("SHA-1", b"abc").unwrap()), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert!(digest("MD5", b"").is_err());
    }

    #[test]
    fn hmac_signs_and_verifies_as_rfc_4231_says() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let signature = match hmac("SHA-256", b"Jefe", b"what do ya want for nothing?", None).unwrap() {
            HmacOutcome::Signature(s) => s,
            other => panic!("{other:?}"),
        };
        let hex: String = signature.iter().map(|x| format!("{x:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_eq!(hmac("sha-256", b"Jefe", b"what do ya want for nothing?", Some(&signature)), Ok(HmacOutcome::Verified(true)));
        assert_eq!(hmac("SHA-256", b"Jeff", b"what do ya want for nothing?", Some(&signature)), Ok(HmacOutcome::Verified(false)));
        assert!(hmac("MD5", b"k", b"d", None).is_err());
    }
}

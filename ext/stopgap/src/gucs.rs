//! Settings (GUCs) of stopgap, with their documented defaults.

use std::ffi::CString;

use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting};

/// `stopgap.live_schema_prefix`: an environment created without an explicit live schema gets
/// `<prefix><env>` (`prod` → `live_prod`). Read once, when the environment row is created.
pub static LIVE_SCHEMA_PREFIX: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(Some(c"live_"));
/// `stopgap.default_env`: the environment of `stopgap.call_fn(fn_name, args)`.
pub static DEFAULT_ENV: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(None);

pub fn register() {
    GucRegistry::define_string_guc(
        c"stopgap.live_schema_prefix",
        c"Prefix of the live schema of a new environment (live_ makes prod use live_prod).",
        c"Applies when an environment is created; stopgap.configure_environment() can name any live schema instead.",
        &LIVE_SCHEMA_PREFIX,
        // Superuser-only: it decides which schema a deploy takes ownership of.
        GucContext::Suset,
        GucFlags::default(),
    );
    GucRegistry::define_string_guc(
        c"stopgap.default_env",
        c"Environment used by stopgap.call_fn(fn_name, args).",
        c"Empty means unset: call_fn without an environment is then an error.",
        &DEFAULT_ENV,
        GucContext::Userset,
        GucFlags::default(),
    );
}

/// The current prefix (`live_` by default; an unset value means no prefix).
pub fn live_schema_prefix() -> String {
    LIVE_SCHEMA_PREFIX.get().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The default environment, when one is set and not empty.
pub fn default_env() -> Option<String> {
    DEFAULT_ENV.get().map(|s| s.to_string_lossy().into_owned()).filter(|s| !s.is_empty())
}

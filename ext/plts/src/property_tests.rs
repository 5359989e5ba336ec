//! Property tests of the value conversions (`cargo pgrx test`): random values go SQL → JS → SQL
//! through plts functions and must come back exactly as PostgreSQL itself reads them. proptest's
//! strategies make the cases; they are checked 1,000 per statement (an array argument, unnested), so
//! that 100,000 cases per property take seconds. The seed is fixed, so a failure reproduces;
//! `PLTS_PROPERTY_SEED=<n>` explores others.

#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    const CASES: usize = 100_000;
    const BATCH: usize = 1_000;

    fn seed() -> u64 {
        std::env::var("PLTS_PROPERTY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_261_202)
    }

    /// Draws [`CASES`] values of `strategy` and runs `first_mismatch` on each batch of their SQL
    /// texts (`$1`, a text[]): the query selects the inputs that did not come back equal.
    fn check<S: Strategy>(name: &str, strategy: S, to_text: impl Fn(&S::Value) -> String, first_mismatch: &str) {
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed().to_le_bytes());
        let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
        for batch in 0..CASES / BATCH {
            let inputs: Vec<String> = (0..BATCH)
                .map(|_| to_text(&strategy.new_tree(&mut runner).expect("strategy makes a value").current()))
                .collect();
            let sql = format!("SELECT ({first_mismatch})");
            let mismatch = Spi::get_one_with_args::<String>(&sql, &[inputs.into()]).expect("the batch runs");
            assert_eq!(mismatch, None, "{name}: batch {batch} (seed {}) has a value that did not round-trip", seed());
        }
    }

    fn create(sql: &str) {
        Spi::run(sql).expect("the function is created");
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            // Any text but NUL, which jsonb cannot hold.
            "[^\u{0}]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::btree_map("[^\u{0}]{0,6}", inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    #[pg_test]
    fn jsonb_round_trips_as_jsonb_in_of_json_stringify() {
        create("CREATE FUNCTION rt_jsonb(v jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default (_c: unknown, v: unknown) => v $$");
        create("CREATE FUNCTION str_jsonb(v jsonb) RETURNS text LANGUAGE plts AS $$ export default (_c: unknown, v: unknown) => JSON.stringify(v) $$");
        check(
            "jsonb",
            json_value(),
            |v| v.to_string(),
            "SELECT t FROM unnest($1::text[]) t
              WHERE coalesce(rt_jsonb(t::jsonb), 'null')::text IS DISTINCT FROM str_jsonb(t::jsonb)::jsonb::text LIMIT 1",
        );
    }

    #[pg_test]
    fn numerics_round_trip_exactly() {
        create("CREATE FUNCTION rt_numeric(n numeric) RETURNS numeric LANGUAGE plts AS $$ export default (_c: unknown, n: string) => n $$");
        let number = ("-?", "[0-9]{1,40}", prop::option::of("[0-9]{1,30}"))
            .prop_map(|(sign, int, frac)| format!("{sign}{int}{}", frac.map(|f| format!(".{f}")).unwrap_or_default()));
        check(
            "numeric",
            prop_oneof![1 => Just("NaN".to_string()), 50 => number],
            |s| s.clone(),
            "SELECT t FROM unnest($1::text[]) t WHERE rt_numeric(t::numeric)::text IS DISTINCT FROM t::numeric::text LIMIT 1",
        );
    }

    #[pg_test]
    fn int8_values_round_trip_exactly_at_every_magnitude() {
        create("CREATE FUNCTION rt_int8(n int8) RETURNS int8 LANGUAGE plts AS $$ export default (_c: unknown, n: number | bigint) => n $$");
        let edges = prop_oneof![
            Just(i64::MIN),
            Just(i64::MAX),
            Just((1i64 << 53) - 1),
            Just(1i64 << 53),
            Just(-(1i64 << 53)),
            Just(0),
        ];
        // Half of the cases near the 2^53 boundary, where number turns into bigint.
        let near = (-1000i64..1000).prop_map(|d| (1i64 << 53) + d);
        check(
            "int8",
            prop_oneof![edges, near, any::<i64>()],
            |n| n.to_string(),
            "SELECT t FROM unnest($1::text[]) t WHERE rt_int8(t::int8) IS DISTINCT FROM t::int8 LIMIT 1",
        );
    }

    #[pg_test]
    fn timestamps_with_millisecond_precision_round_trip_exactly() {
        create("CREATE FUNCTION rt_ts(t timestamptz) RETURNS timestamptz LANGUAGE plts AS $$ export default (_c: unknown, t: Date) => t $$");
        // Years 1 to 9999, in milliseconds since the epoch (a Date holds milliseconds). The timestamp is
        // built from whole seconds and milliseconds: `m * interval '1 ms'` multiplies in float8 and
        // would add microseconds the Date cannot hold.
        check(
            "timestamptz",
            -62_135_596_800_000i64..253_402_300_799_999,
            |ms| ms.to_string(),
            "SELECT m FROM unnest($1::text[]) m,
                    LATERAL (SELECT to_timestamp(div(m::int8, 1000)::float8) + mod(m::int8, 1000) * interval '1 millisecond' AS ts) x
              WHERE rt_ts(x.ts) IS DISTINCT FROM x.ts LIMIT 1",
        );
    }

    #[pg_test]
    fn bytea_round_trips_exactly() {
        create("CREATE FUNCTION rt_bytea(b bytea) RETURNS bytea LANGUAGE plts AS $$ export default (_c: unknown, b: Uint8Array) => b $$");
        check(
            "bytea",
            prop::collection::vec(any::<u8>(), 0..64),
            |bytes| format!("\\x{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()),
            "SELECT t FROM unnest($1::text[]) t WHERE rt_bytea(t::bytea) IS DISTINCT FROM t::bytea LIMIT 1",
        );
    }

    #[pg_test]
    fn arrays_with_nulls_round_trip_exactly() {
        create("CREATE FUNCTION rt_int4s(a int4[]) RETURNS int4[] LANGUAGE plts AS $$ export default (_c: unknown, a: unknown) => a $$");
        create("CREATE FUNCTION rt_texts(a text[]) RETURNS text[] LANGUAGE plts AS $$ export default (_c: unknown, a: unknown) => a $$");
        check(
            "int4[]",
            prop::collection::vec(prop::option::of(any::<i32>()), 0..12),
            |items| {
                let items: Vec<String> =
                    items.iter().map(|i| i.map_or("NULL".to_string(), |i| i.to_string())).collect();
                format!("{{{}}}", items.join(","))
            },
            "SELECT t FROM unnest($1::text[]) t WHERE rt_int4s(t::int4[]) IS DISTINCT FROM t::int4[] LIMIT 1",
        );
        // Text arrays travel as a JSON array of strings and nulls, so that any text (quotes, commas,
        // braces, backslashes) is spelled without SQL array quoting.
        check(
            "text[]",
            prop::collection::vec(prop::option::of("[^\u{0}]{0,10}"), 0..8),
            |items| serde_json::to_string(items).expect("strings serialize"),
            "SELECT t FROM unnest($1::text[]) t,
                    LATERAL (SELECT ARRAY(SELECT e #>> '{}' FROM jsonb_array_elements(t::jsonb) e) AS a) x
              WHERE rt_texts(x.a) IS DISTINCT FROM x.a LIMIT 1",
        );
    }
}

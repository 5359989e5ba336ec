//! In-backend tests (`cargo pgrx test`): behaviour that needs a real server, called both
//! directly and through SQL. SQL-visible scenarios live in tests/pg_regress.

#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    fn one<T: pgrx::IntoDatum + pgrx::FromDatum>(sql: &str) -> Option<T> {
        Spi::get_one::<T>(sql).expect("query runs")
    }

    #[pg_test]
    fn version_matches_the_crate() {
        assert_eq!(one::<String>("SELECT plts.version()"), Some(env!("CARGO_PKG_VERSION").to_string()));
    }

    #[pg_test]
    fn int_function_adds() {
        Spi::run("CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE plts AS $$ export default (ctx: any, a: number, b: number) => a + b $$").unwrap();
        assert_eq!(one::<i32>("SELECT add(2, 3)"), Some(5));
    }

    #[pg_test]
    fn named_arguments_are_on_ctx_args() {
        Spi::run("CREATE FUNCTION greet(who text) RETURNS text LANGUAGE plts AS $$ export default (ctx: { args: { who: string } }) => `hi ${ctx.args.who}` $$").unwrap();
        assert_eq!(one::<String>("SELECT greet('ann')"), Some("hi ann".into()));
    }

    #[pg_test]
    fn replace_function_recompiles() {
        Spi::run("CREATE FUNCTION v() RETURNS int LANGUAGE plts AS $$ export default () => 1 $$").unwrap();
        assert_eq!(one::<i32>("SELECT v()"), Some(1));
        Spi::run("CREATE OR REPLACE FUNCTION v() RETURNS int LANGUAGE plts AS $$ export default () => 2 $$").unwrap();
        assert_eq!(one::<i32>("SELECT v()"), Some(2));
    }

    #[pg_test]
    fn compile_and_store_is_idempotent() {
        let a = one::<String>("SELECT plts.compile_and_store('export default () => 1', '{}')").unwrap();
        let b = one::<String>("SELECT plts.compile_and_store('export default () => 1', '{}')").unwrap();
        assert_eq!(a, b);
        assert_eq!(one::<i64>(&format!("SELECT count(*) FROM plts.artifact WHERE artifact_hash = '{a}'")), Some(1));
    }

    #[pg_test]
    #[should_panic(expected = "line 2, column")]
    fn syntax_error_at_create_names_line_and_column() {
        Spi::run("CREATE FUNCTION bad() RETURNS int LANGUAGE plts AS $$export default () => {\n  let x: number = ;\n}$$").unwrap();
    }

    #[pg_test]
    fn ctx_db_reads_and_writes_in_the_callers_transaction() {
        Spi::run("CREATE TABLE kv (k text PRIMARY KEY, v int)").unwrap();
        Spi::run("CREATE FUNCTION put(k text, v int) RETURNS int LANGUAGE plts AS $$ export default (ctx: any, k: string, v: number) => ctx.db.exec('INSERT INTO kv VALUES ($1, $2)', [k, v]).rowCount $$").unwrap();
        assert_eq!(one::<i32>("SELECT put('a', 1)"), Some(1));
        assert_eq!(one::<i32>("SELECT v FROM kv WHERE k = 'a'"), Some(1));
    }

    #[pg_test]
    fn caught_unique_violation_lets_the_handler_continue() {
        Spi::run("CREATE TABLE u (id int PRIMARY KEY)").unwrap();
        Spi::run("CREATE FUNCTION twice() RETURNS text LANGUAGE plts AS $$ export default (ctx: any) => { ctx.db.exec('INSERT INTO u VALUES (1)'); try { ctx.db.exec('INSERT INTO u VALUES (1)'); } catch (e: any) { return e.sqlstate; } return 'no error'; } $$").unwrap();
        assert_eq!(one::<String>("SELECT twice()"), Some("23505".into()));
        assert_eq!(one::<i64>("SELECT count(*) FROM u"), Some(1));
    }

    /// A JSON text (read by serde_json) as a document, the way json_out builds one.
    fn doc_of(value: &serde_json::Value, doc: &mut crate::values::JsonDoc) {
        use crate::values::JsonNode;
        match value {
            serde_json::Value::Null => doc.nodes.push(JsonNode::Null),
            serde_json::Value::Bool(b) => doc.nodes.push(JsonNode::Bool(*b)),
            serde_json::Value::Number(n) => doc.nodes.push(JsonNode::Number(n.as_f64().unwrap())),
            serde_json::Value::String(s) => {
                let (start, len) = doc.push_str(s);
                doc.nodes.push(JsonNode::String(start, len));
            }
            serde_json::Value::Array(items) => {
                doc.nodes.push(JsonNode::Array(items.len() as u32));
                items.iter().for_each(|item| doc_of(item, doc));
            }
            serde_json::Value::Object(members) => {
                doc.nodes.push(JsonNode::Object(members.len() as u32));
                for (key, item) in members {
                    let (start, len) = doc.push_str(key);
                    doc.nodes.push(JsonNode::Key(start, len));
                    doc_of(item, doc);
                }
            }
        }
    }

    /// # Safety
    /// `datum` must be a jsonb varlena.
    unsafe fn jsonb_bytes(datum: pg_sys::Datum) -> Vec<u8> {
        // SAFETY: `datum` is a varlena (the caller's promise), `varsize_any` bytes long.
        unsafe {
            let ptr = datum.cast_mut_ptr::<pg_sys::varlena>();
            std::slice::from_raw_parts(ptr.cast::<u8>(), pgrx::varsize_any(ptr)).to_vec()
        }
    }

    #[pg_test]
    fn encoded_jsonb_is_byte_for_byte_what_jsonb_in_makes() {
        let many_keys: serde_json::Map<String, serde_json::Value> =
            (0..70).map(|i| (format!("{}{i}", "k".repeat(1 + i % 7)), serde_json::json!(i as f64 * 1.25))).collect();
        let many_elements: Vec<serde_json::Value> =
            (0..70).map(|i| if i % 3 == 0 { serde_json::json!("s".repeat(i)) } else { serde_json::json!([i, {"n": i}]) }).collect();
        let cases = [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!({"b": 1, "a": [1.5, "x", null, true, false], "aa": {"nested": {}}}),
            serde_json::json!({"é": 1, "z": 2, "日本": 3, "": 4, "ab": 5}),
            serde_json::json!([0, -5, 9999, 10000, 10001, 12340000, 99999999, 100000000, 9007199254740991.0, 1e21, 1e-7, 0.1, 123456789.123, -2.5e-300, 5e-324, 1.7976931348623157e308]),
            serde_json::json!(["a", 1.5, "abc", {"x": 2.25}, "ab", [3.75], "abcd"]),
            serde_json::json!("raw string"),
            serde_json::json!(1.5),
            serde_json::json!(42),
            serde_json::json!(true),
            serde_json::json!(null),
            serde_json::json!({"q": "quote\" back\\ nl\n ctl\u{1} 😀"}),
            serde_json::Value::Object(many_keys),
            serde_json::Value::Array(many_elements),
        ];
        for case in cases {
            let mut doc = crate::values::JsonDoc::default();
            doc_of(&case, &mut doc);
            let text = doc.to_json_text();
            // SAFETY: encode returns a palloc'd jsonb.
            let ours = unsafe { jsonb_bytes(crate::jsonb::encode(&doc)) };
            let cstr = std::ffi::CString::new(text.clone()).unwrap();
            // SAFETY: jsonb_in takes one NUL-terminated string, `cstr`, alive across the call,
            // and returns a palloc'd jsonb.
            let theirs = unsafe {
                jsonb_bytes(pgrx::direct_function_call_as_datum(pg_sys::jsonb_in, &[Some(pg_sys::Datum::from(cstr.as_ptr()))]).unwrap())
            };
            assert_eq!(ours, theirs, "jsonb of {text}");
        }
    }
}

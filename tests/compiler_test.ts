/** Pure parts of the compiler and the API: the naming rule, diagnostics parsing, JSON Schema → TypeScript. */
import assert from "node:assert/strict";
import { tsType } from "../api/types.ts";
import { assignNames, metadataLine, parseDenoDiagnostics, readMetadata, snakeCase, sqlName } from "../compiler/mod.ts";

Deno.test("sqlName joins path segments and the export name in lower snake case; default adds nothing", () => {
  assert.equal(sqlName("hello.ts", "default"), "hello");
  assert.equal(sqlName("todos.ts", "listAll"), "todos_list_all");
  assert.equal(sqlName("admin/user-profile.ts", "default"), "admin_user_profile");
  assert.equal(sqlName("api/HTTPServer.mts", "getURL"), "api_http_server_get_url");
  assert.equal(snakeCase("__a..b__"), "a_b");
});

Deno.test("sqlName refuses names that start with a digit or exceed 63 bytes", () => {
  assert.throws(() => sqlName("2fa.ts", "default"), /starts with a digit/);
  assert.throws(() => sqlName(`${"a".repeat(60)}.ts`, "more"), /longer than 63 bytes/);
});

Deno.test("assignNames reports every collision with both sources", () => {
  const { named, collisions } = assignNames([
    { file: "functions/todos.ts", relativePath: "todos.ts", exportName: "listAll" },
    { file: "functions/todos/list.ts", relativePath: "todos/list.ts", exportName: "all" },
    { file: "functions/other.ts", relativePath: "other.ts", exportName: "default" },
  ]);
  assert.deepEqual(named.map((n) => n.name), ["todos_list_all", "other"]);
  assert.deepEqual(collisions, [{
    name: "todos_list_all",
    sources: ["functions/todos.ts#listAll", "functions/todos/list.ts#all"],
  }]);
});

Deno.test("parseDenoDiagnostics reads type errors and parse errors with file, line and column", () => {
  const output = `Check functions/a.ts
TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.
  const n: number = "x";
        ^
    at file:///p/functions/a.ts:4:9

error: The module's source code could not be parsed: Expression expected at file:///p/functions/b.ts:3:13

error: Type checking failed.
`;
  const display = (path: string) => path.replace("/p/", "");
  assert.deepEqual(parseDenoDiagnostics(output, display), [
    {
      file: "functions/a.ts",
      line: 4,
      column: 9,
      code: "TS2322",
      message: "Type 'string' is not assignable to type 'number'.",
    },
    {
      file: "functions/b.ts",
      line: 3,
      column: 13,
      code: null,
      message: "The module's source code could not be parsed: Expression expected",
    },
  ]);
});

Deno.test("the metadata line round-trips and a body without it has none", () => {
  const meta = {
    format: 1 as const,
    name: "f",
    kind: "query" as const,
    source: "functions/f.ts#default",
    args: null,
    returns: null,
  };
  assert.deepEqual(readMetadata(`${metadataLine(meta)}\nexport default 1;`), meta);
  assert.equal(readMetadata("export default 1;"), null);
});

Deno.test("tsType turns valibot's JSON Schemas into TypeScript types", () => {
  const schema = {
    type: "object",
    properties: {
      id: { type: "number" },
      tags: { type: "array", items: { type: "string" } },
      mode: { enum: ["a", "b"] },
      note: { anyOf: [{ type: "string" }, { type: "null" }] },
    },
    required: ["id", "tags"],
  };
  assert.equal(
    tsType(schema, ""),
    `{\n  id: number;\n  tags: string[];\n  mode?: "a" | "b";\n  note?: string | null;\n}`,
  );
  assert.equal(tsType({ type: "object", properties: {} }, ""), "Record<string, unknown>");
  assert.equal(tsType(true, ""), "unknown");
});

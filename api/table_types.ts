/**
 * TypeScript interfaces of tables' rows, read from PostgreSQL's catalogs, with the value mapping of
 * plts (docs/RUNTIME-CONTRACT.md, "Value mapping"): each column is typed as what `ctx.db.query`
 * and `ctx.trigger.new`/`old` give for it.
 *
 * @module
 */

import type { Sql } from "../runtime/local.ts";
import { StopgapError } from "./errors.ts";

/**
 * One entry of a `--tables` list: every table and view of `schema`, or the one named `table`.
 * Names are exact (as stored in the catalogs, case included).
 */
export interface TableRef {
  /** The schema. */
  schema: string;
  /** The table or view; absent: every table and view of the schema. */
  table?: string;
}

/** A table (or view) whose rows {@linkcode generateTableTypes} declared. */
export interface DeclaredTable {
  /** Its schema. */
  schema: string;
  /** Its name. */
  table: string;
  /** `table`, `partitioned table`, `view`, `materialized view` or `foreign table`. */
  kind: string;
  /** The TypeScript interface of its rows, e.g. `TodoItems`. */
  name: string;
  /** How many columns it has (dropped columns not counted). */
  columns: number;
}

/** A composite or enum type that a declared table's columns use, declared alongside the tables. */
export interface DeclaredType {
  /** Its schema. */
  schema: string;
  /** Its SQL name. */
  type: string;
  /** `composite` (an interface) or `enum` (a union of string literals). */
  kind: "composite" | "enum";
  /** The TypeScript name, e.g. `Mood`. */
  name: string;
}

/** What {@linkcode generateTableTypes} produced. */
export interface GeneratedTableTypes {
  /** The declarations module. */
  code: string;
  /** The tables and views declared, in the order of the list (a schema's by name). */
  tables: DeclaredTable[];
  /** The composite and enum types their columns use, by schema and name. */
  types: DeclaredType[];
}

/** The declarations of some tables, without a module header. */
export interface TableDeclarations {
  /** The `export interface` and `export type` declarations. */
  code: string;
  /** The tables declared. */
  tables: DeclaredTable[];
  /** The composite and enum types declared. */
  types: DeclaredType[];
}

/**
 * Parses a `--tables` list: comma-separated entries, each `schema` or `schema.table`. Names are read
 * as in SQL: unquoted ones are folded to lower case, double-quoted ones kept as written (`""` is a
 * quote), so `"Billing"."Invoice Lines"` names a mixed-case schema and table.
 *
 * @param list the list, e.g. `public,audit.events`
 * @returns the entries, in order
 * @throws {StopgapError} `invalid_tables` for an empty list or entry, three-part names, an
 *   unterminated quote or a character that cannot start or continue a name
 *
 * @example A schema and one table of another
 * ```ts
 * import { parseTables } from "./table_types.ts";
 *
 * parseTables('public,Audit."Events"'); // [{ schema: "public" }, { schema: "audit", table: "Events" }]
 * ```
 */
export function parseTables(list: string): TableRef[] {
  const bad = (why: string) =>
    new StopgapError("invalid_tables", `Invalid --tables value ${JSON.stringify(list)}: ${why}`, {
      hint: "Give schemas or schema.table names, separated by commas: --tables public,audit.events",
    });
  const refs: TableRef[] = [];
  let parts: string[] = [];
  let i = 0;
  const readName = (): string => {
    if (list[i] === '"') {
      let name = "";
      for (i++;; i++) {
        if (i >= list.length) throw bad("a quoted name is not closed");
        if (list[i] === '"') {
          if (list[i + 1] !== '"') break;
          i++;
        }
        name += list[i];
      }
      i++;
      if (name === "") throw bad('a quoted name is empty ("")');
      return name;
    }
    const match = /^[\p{L}_][\p{L}\p{N}_$]*/u.exec(list.slice(i));
    if (!match) {
      throw bad(
        i >= list.length || list[i] === "," || list[i] === "."
          ? `a name is missing at position ${i + 1}`
          : `unexpected ${JSON.stringify(list[i])} at position ${i + 1}`,
      );
    }
    i += match[0].length;
    // Unquoted names fold to lower case, as PostgreSQL folds them (ASCII letters only).
    return match[0].replace(/[A-Z]+/g, (s) => s.toLowerCase());
  };
  if (list.trim() === "") throw bad("it is empty");
  for (;;) {
    while (list[i] === " ") i++;
    parts.push(readName());
    while (list[i] === " ") i++;
    if (list[i] === ".") {
      i++;
      if (parts.length === 2) throw bad(`${parts.join(".")}.… has more than two parts; use schema.table`);
      continue;
    }
    refs.push(parts.length === 1 ? { schema: parts[0] } : { schema: parts[0], table: parts[1] });
    parts = [];
    if (i >= list.length) return refs;
    if (list[i] !== ",") throw bad(`unexpected ${JSON.stringify(list[i])} at position ${i + 1}`);
    i++;
  }
}

/**
 * Interfaces of the rows of `tables`: `export interface TodoItems { ... }` per table or view, with
 * the composite and enum types their columns use.
 *
 * Each column is typed as plts gives it to JavaScript (docs/RUNTIME-CONTRACT.md, "Value mapping"):
 * `int2`/`int4`/`float4`/`float8` `number`, `int8` `number | bigint`, `numeric` `string`,
 * `timestamp`/`timestamptz` `Date | "infinity" | "-infinity"`, `date` `string`, `json`/`jsonb`
 * `JsonValue`, `bytea` `Uint8Array`, one-dimensional arrays `(T | null)[]`, composites (and domains
 * over them) an interface, enums (and domains over them) a union of their labels, a domain its
 * base type's, anything else `string`. A column without `NOT NULL` is `T | null`; a stored generated
 * column is `readonly`.
 *
 * @param options the client, and the tables: a `--tables` list ({@linkcode parseTables}) or its entries
 * @returns the declarations module, and what it declares
 * @throws {StopgapError} `invalid_tables` for a list that does not parse, `unknown_schema` or
 *   `unknown_table` naming what does not exist, `not_a_table` for a relation that has no rows
 *   (an index, a sequence, a composite type)
 *
 * @example Writing the rows of schema `public` to `rows.ts`
 * ```ts ignore
 * import { generateTableTypes } from "../mod.ts";
 *
 * await Deno.writeTextFile("rows.ts", (await generateTableTypes({ sql, tables: "public" })).code);
 * ```
 */
export async function generateTableTypes(
  options: { sql: Sql; tables: string | readonly TableRef[] },
): Promise<GeneratedTableTypes> {
  const refs = typeof options.tables === "string" ? parseTables(options.tables) : options.tables;
  const declared = await tableDeclarations(options.sql, refs);
  const code = `// Generated by \`stopgap types --tables ${tablesFlag(refs)}\`. Do not edit.
// ${USE_LINE}

${declared.code}`;
  return { code, tables: declared.tables, types: declared.types };
}

/** The comment line of a generated module on how to use the row interfaces. */
export const USE_LINE = "Rows as plts gives them to JavaScript: ctx.db.query<Row>(...), TriggerContext<Row>";

/** `refs` as a `--tables` value that names the same tables. */
export function tablesFlag(refs: readonly TableRef[]): string {
  const name = (s: string) => /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replaceAll('"', '""')}"`;
  return refs.map((ref) => ref.table === undefined ? name(ref.schema) : `${name(ref.schema)}.${name(ref.table)}`)
    .join(",");
}

/** Relation kinds that have rows, and how they are described. */
const RELATION_KINDS: Record<string, string> = {
  r: "table",
  p: "partitioned table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
};

/** Names the generated module uses itself, which a table's or type's interface must not take. */
const RESERVED = new Set(["Api", "JsonValue", "Date", "Uint8Array"]);

/** A column (or a composite type's attribute), as the catalogs describe it. */
interface Column {
  name: string;
  typeOid: number;
  sqlType: string;
  notNull: boolean;
  /** `s` for a stored generated column, else empty. */
  generated: string;
  generatedExpr: string | null;
  /** `a` (always) or `d` (by default) for an identity column, else empty. */
  identity: string;
  /** The declared number of array dimensions (0 when not declared). */
  ndims: number;
}

/** A type, as much of pg_type as the mapping needs. */
interface TypeInfo {
  oid: number;
  schema: string;
  name: string;
  /** pg_type.typtype: `b` base, `c` composite, `d` domain, `e` enum, `p` pseudo, `r`/`m` range. */
  typtype: string;
  baseOid: number;
  /** For a domain: its base type, as `format_type` writes it. */
  baseSql: string | null;
  /** For a domain: whether it is declared `NOT NULL`. */
  notNull: boolean;
  /** The element type when plts reads the type as an array (PostgreSQL's `get_element_type`), else 0. */
  elemOid: number;
  /** For a composite type: its relation and that relation's kind (`c` standalone, `r` a table's, ...). */
  relid: number;
  relkind: string | null;
  labels: string[];
}

/** A relation whose rows are declared. */
interface Relation {
  oid: number;
  schema: string;
  name: string;
  relkind: string;
  typeOid: number;
}

/** The built-in types plts maps to something other than their text, by OID (ext/plts/src/datum.rs). */
const BUILTIN: Record<number, string> = {
  16: "boolean", // bool
  21: "number", // int2
  23: "number", // int4
  700: "number", // float4
  701: "number", // float8
  20: "number | bigint", // int8: a bigint beyond ±(2^53 - 1)
  1700: "string", // numeric: its exact decimal text
  25: "string", // text
  1043: "string", // varchar
  1082: "string", // date: YYYY-MM-DD, or infinity/-infinity
  114: "JsonValue", // json
  3802: "JsonValue", // jsonb
  17: "Uint8Array", // bytea
  1114: 'Date | "infinity" | "-infinity"', // timestamp
  1184: 'Date | "infinity" | "-infinity"', // timestamptz
};

/**
 * The declarations of the rows of `refs`, and of the composite and enum types they use.
 *
 * @throws {StopgapError} `unknown_schema`, `unknown_table`, `not_a_table`
 */
export async function tableDeclarations(sql: Sql, refs: readonly TableRef[]): Promise<TableDeclarations> {
  const relations = await resolve(sql, refs);
  const columns = await readColumns(sql, relations.map((r) => r.oid));
  const types = new Map<number, TypeInfo>();
  const composites = new Map<number, Column[]>();
  // Every type the columns reach: array elements, domains' bases, composites' attributes.
  let pending = [...new Set([...columns.values()].flat().map((c) => c.typeOid))];
  while (pending.length > 0) {
    const found = await readTypes(sql, pending);
    const next = new Set<number>();
    for (const info of found) {
      types.set(info.oid, info);
      for (const oid of [info.elemOid, info.baseOid]) if (oid !== 0) next.add(oid);
    }
    const compositeRels = found.filter((info) => info.typtype === "c").map((info) => info.relid);
    const attributes = await readColumns(sql, compositeRels);
    for (const info of found.filter((info) => info.typtype === "c")) {
      const attrs = attributes.get(info.relid) ?? [];
      composites.set(info.oid, attrs);
      for (const attr of attrs) next.add(attr.typeOid);
    }
    pending = [...next].filter((oid) => !types.has(oid) && !(oid in BUILTIN));
  }

  const declaredTables = new Map(relations.map((rel) => [rel.typeOid, rel]));
  // The composite and enum types the declarations name, found while mapping the columns.
  const used = new Set<number>();
  const names = new Map<number, string>();
  const tsType = (oid: number, ndims: number): string => {
    if (oid in BUILTIN) return BUILTIN[oid];
    const info = types.get(oid);
    if (info === undefined) return "string";
    // plts reads a domain as its base type (a domain over int is a number).
    if (info.typtype === "d") return tsType(info.baseOid, ndims);
    if (info.elemOid !== 0) {
      // plts reads a multi-dimensional array as its text; a column declared with more than one
      // dimension is typed so.
      return ndims > 1 ? "string" : `(${tsType(info.elemOid, 0)} | null)[]`;
    }
    const target = info;
    if (target.typtype === "c") {
      used.add(target.oid);
      const table = declaredTables.get(target.oid);
      // Inside a composite value NOT NULL is not enforced: a declared table's row nested in
      // another value may have a NULL in any column.
      if (table && columns.get(table.oid)?.some((c) => c.notNull)) {
        return `{ [K in keyof ${nameOf(target.oid)}]: ${nameOf(target.oid)}[K] | null }`;
      }
      return nameOf(target.oid);
    }
    if (target.typtype === "e") {
      used.add(target.oid);
      return nameOf(target.oid);
    }
    return "string";
  };
  const nameOf = (oid: number) => names.get(oid)!;
  // A column of a NOT NULL domain (or of a domain over one) holds no NULL either.
  const domainNotNull = (oid: number): boolean => {
    for (let info = types.get(oid); info?.typtype === "d"; info = types.get(info.baseOid)) {
      if (info.notNull) return true;
    }
    return false;
  };

  // Names are given before any declaration is written: every table, and every composite or enum
  // type reachable from the columns (a superset of those used).
  const named: { oid: number; schema: string; name: string }[] = [
    ...relations.map((rel) => ({ oid: rel.typeOid, schema: rel.schema, name: rel.name })),
    ...[...types.values()]
      .filter((info) => (info.typtype === "c" || info.typtype === "e") && !declaredTables.has(info.oid))
      .sort(bySchemaAndName)
      .map((info) => ({ oid: info.oid, schema: info.schema, name: info.name })),
  ];
  for (const [oid, name] of assignNames(named)) names.set(oid, name);

  let usesJson = false;
  const member = (column: Column, nullable: boolean, readonlyGenerated: boolean): string => {
    const type = tsType(column.typeOid, column.ndims);
    if (type.includes("JsonValue")) usesJson = true;
    const facts = [code(column.sqlType)];
    const domain = types.get(column.typeOid);
    if (domain?.typtype === "d") facts[0] += ` (a domain over ${code(domain.baseSql ?? "?")})`;
    if (column.ndims > 1 && type === "string") facts.push(`${column.ndims} dimensions, read as text`);
    if (column.notNull) facts.push("not null");
    else if (nullable === false) facts.push("not null (by its domain)");
    if (column.identity) facts.push(`generated ${column.identity === "a" ? "always" : "by default"} as identity`);
    if (column.generated === "s") facts.push(`generated always as (${column.generatedExpr ?? "…"}) stored`);
    const readonly = readonlyGenerated && column.generated === "s" ? "readonly " : "";
    return `  /** ${comment(facts.join(", "))} */\n  ${readonly}${propertyKey(column.name)}: ${type}${
      nullable ? " | null" : ""
    };`;
  };
  const declaration = (doc: string, name: string, members: string[]) =>
    `/** ${doc}. */\n` +
    (members.length > 0
      ? `export interface ${name} {\n${members.join("\n")}\n}`
      : `export type ${name} = Record<string, never>;`);

  const tables: DeclaredTable[] = [];
  const tableBlocks: string[] = [];
  for (const rel of relations) {
    const cols = columns.get(rel.oid) ?? [];
    const kind = RELATION_KINDS[rel.relkind];
    tables.push({ schema: rel.schema, table: rel.name, kind, name: nameOf(rel.typeOid), columns: cols.length });
    tableBlocks.push(declaration(
      `A row of ${kind} ${comment(code(`${rel.schema}.${rel.name}`))}`,
      nameOf(rel.typeOid),
      cols.map((c) => member(c, !c.notNull && !domainNotNull(c.typeOid), true)),
    ));
  }
  // The types the tables use, and the types those use in turn.
  const typeBlocks: { type: DeclaredType; block: string }[] = [];
  const written = new Set<number>();
  for (let more = true; more;) {
    more = false;
    for (const info of types.values()) {
      if (!used.has(info.oid) || written.has(info.oid) || declaredTables.has(info.oid)) continue;
      written.add(info.oid);
      more = true;
      const label = comment(code(`${info.schema}.${info.name}`));
      const name = nameOf(info.oid);
      if (info.typtype === "e") {
        const union = info.labels.map((l) => JSON.stringify(l)).join(" | ") || "never";
        typeBlocks.push({
          type: { schema: info.schema, type: info.name, kind: "enum", name },
          block: `/** Enum ${label}. */\nexport type ${name} = ${union};`,
        });
        continue;
      }
      const what = info.relkind === "c"
        ? `Composite type ${label}`
        : `The row type of ${RELATION_KINDS[info.relkind ?? ""] ?? "relation"} ${label}, as a composite value`;
      // Every attribute of a composite value may be NULL (a table's NOT NULL is not enforced in one).
      const attrs = composites.get(info.oid) ?? [];
      typeBlocks.push({
        type: { schema: info.schema, type: info.name, kind: "composite", name },
        block: declaration(what, name, attrs.map((a) => member({ ...a, notNull: false }, true, false))),
      });
    }
  }
  typeBlocks.sort((a, b) =>
    bySchemaAndName({ schema: a.type.schema, name: a.type.type }, { schema: b.type.schema, name: b.type.type })
  );
  const blocks = [...tableBlocks, ...typeBlocks.map((b) => b.block)];
  if (usesJson) {
    blocks.push(
      "/** A JSON value: what `JSON.parse` gives for a `json` or `jsonb` value. */\n" +
        "export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };",
    );
  }
  return { code: blocks.map((b) => `${b}\n`).join("\n"), tables, types: typeBlocks.map((b) => b.type) };
}

function bySchemaAndName(a: { schema: string; name: string }, b: { schema: string; name: string }): number {
  return a.schema < b.schema ? -1 : a.schema > b.schema ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * TypeScript names for tables and types: `todo_items` → `TodoItems`. A name that tables or types of
 * different schemas would share, or that the module uses itself (`Api`, `JsonValue`, `Date`,
 * `Uint8Array`), is prefixed with the schema (`AuditEvents`); a name still taken gets a number
 * (`Events2`), in the order of the list.
 */
function assignNames(items: readonly { oid: number; schema: string; name: string }[]): Map<number, string> {
  const schemas = new Map<string, Set<string>>();
  for (const item of items) {
    const plain = pascalCase(item.name);
    schemas.set(plain, (schemas.get(plain) ?? new Set()).add(item.schema));
  }
  const taken = new Set(RESERVED);
  const names = new Map<number, string>();
  for (const item of items) {
    const plain = pascalCase(item.name);
    // The schema tells apart names of different schemas (and a name from one the module uses itself).
    const qualify = schemas.get(plain)!.size > 1 || RESERVED.has(plain);
    const name = qualify ? pascalCase(`${item.schema}_${item.name}`) : plain;
    let unique = name;
    for (let n = 2; taken.has(unique); n++) unique = `${name}${n}`;
    taken.add(unique);
    names.set(item.oid, unique);
  }
  return names;
}

/**
 * `todo_items` → `TodoItems`: the name's letters and digits, each word capitalised; `_` first when it
 * would start with a digit (or have nothing).
 */
function pascalCase(name: string): string {
  const words = name.split(/[^\p{L}\p{Nd}]+/u).filter((w) => w !== "");
  const joined = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  return /^\p{L}/u.test(joined) ? joined : `_${joined}`;
}

async function resolve(sql: Sql, refs: readonly TableRef[]): Promise<Relation[]> {
  const out = new Map<number, Relation>();
  for (const ref of refs) {
    const [schema] = await sql`select 1 from pg_namespace where nspname = ${ref.schema}`;
    if (!schema) {
      throw new StopgapError("unknown_schema", `Schema ${JSON.stringify(ref.schema)} does not exist`, {
        hint: "Check the name (unquoted names are folded to lower case; quote one to keep its case)",
      });
    }
    const rows = await sql`select c.oid::int8 as oid, n.nspname, c.relname, c.relkind::text as relkind,
        c.reltype::int8 as reltype
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${ref.schema}
        and ${
      ref.table === undefined
        ? sql`c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition`
        : sql`c.relname = ${ref.table}`
    }
      order by c.relname`;
    const qualified = `${ref.schema}.${ref.table}`;
    if (ref.table !== undefined && rows.length === 0) {
      throw new StopgapError("unknown_table", `Table ${JSON.stringify(qualified)} does not exist`, {
        hint: `stopgap types --tables ${tablesFlag([{ schema: ref.schema }])} declares every table of the schema`,
      });
    }
    for (const row of rows) {
      if (!(row.relkind in RELATION_KINDS)) {
        throw new StopgapError(
          "not_a_table",
          `${JSON.stringify(qualified)} is not a table or view (pg_class.relkind ${row.relkind})`,
          { hint: "Name tables, views, materialized views or foreign tables" },
        );
      }
      const oid = Number(row.oid);
      if (!out.has(oid)) {
        out.set(oid, {
          oid,
          schema: row.nspname,
          name: row.relname,
          relkind: row.relkind,
          typeOid: Number(row.reltype),
        });
      }
    }
  }
  return [...out.values()];
}

async function readColumns(sql: Sql, relids: number[]): Promise<Map<number, Column[]>> {
  const out = new Map<number, Column[]>();
  if (relids.length === 0) return out;
  const rows = await sql`select a.attrelid::int8 as relid, a.attname, a.atttypid::int8 as type_oid,
      format_type(a.atttypid, a.atttypmod) as sql_type, a.attnotnull, a.attgenerated::text as generated,
      a.attidentity::text as identity, a.attndims, pg_get_expr(d.adbin, d.adrelid, true) as generated_expr
    from pg_attribute a
    left join pg_attrdef d on a.attgenerated <> '' and d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = any(${relids.map(String)}::oid[]) and a.attnum > 0 and not a.attisdropped
    order by a.attrelid, a.attnum`;
  for (const row of rows) {
    const relid = Number(row.relid);
    if (!out.has(relid)) out.set(relid, []);
    out.get(relid)!.push({
      name: row.attname,
      typeOid: Number(row.type_oid),
      sqlType: row.sql_type,
      notNull: row.attnotnull,
      generated: row.generated,
      generatedExpr: row.generated_expr === null ? null : String(row.generated_expr).replace(/\s+/g, " "),
      identity: row.identity,
      ndims: row.attndims,
    });
  }
  return out;
}

async function readTypes(sql: Sql, oids: number[]): Promise<TypeInfo[]> {
  if (oids.length === 0) return [];
  // get_element_type: an array type is one whose subscripting is the array handler.
  const rows = await sql`select t.oid::int8 as oid, n.nspname, t.typname, t.typtype::text as typtype,
      t.typbasetype::int8 as base_oid,
      case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end as base_sql, t.typnotnull,
      case when t.typelem <> 0 and t.typsubscript = 'array_subscript_handler'::regproc
        then t.typelem::int8 else 0 end as elem_oid,
      t.typrelid::int8 as relid, c.relkind::text as relkind,
      array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder) as labels
    from pg_type t join pg_namespace n on n.oid = t.typnamespace left join pg_class c on c.oid = t.typrelid
    where t.oid = any(${oids.map(String)}::oid[])`;
  return rows.map((row) => ({
    oid: Number(row.oid),
    schema: row.nspname,
    name: row.typname,
    typtype: row.typtype,
    baseOid: Number(row.base_oid),
    baseSql: row.base_sql,
    notNull: row.typnotnull,
    elemOid: Number(row.elem_oid),
    relid: Number(row.relid),
    relkind: row.relkind,
    labels: row.labels,
  }));
}

/** `text` in backquotes, for a doc comment. */
function code(text: string): string {
  return `\`${text}\``;
}

/** `text` made safe inside a `/** ... *\/` comment on one line. */
function comment(text: string): string {
  return text.replaceAll("*/", "*\\/").replace(/[\r\n]+/g, " ");
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

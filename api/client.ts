/**
 * The typed client: the deployed functions of an environment as methods, with argument and result
 * types inferred from the function modules (or from declarations written by `stopgap types`), and
 * arguments validated client-side by the same valibot schemas before any round trip.
 *
 * @module
 */

import type postgres from "postgres";
import * as v from "valibot";
import type { Sql } from "../runtime/local.ts";
import { asValibot } from "../runtime/schema.ts";
import { type InferInput, type Schema, ValidationError, type Wrapped } from "../runtime/mod.ts";
import { checkEnvName } from "./errors.ts";

/** The shape `stopgap types` declares per function when the modules are not imported. */
export interface FunctionSpec<A = unknown, R = unknown> {
  /** The type of the arguments. */
  args: A;
  /** The type of the result. */
  result: R;
}

/**
 * What {@linkcode createClient} accepts per function: a wrapped handler (`query`/`mutation`), or a
 * {@linkcode FunctionSpec} (the members of the `Api` interface `stopgap types` writes).
 */
export type ClientFunction = { readonly kind: "query" | "mutation"; readonly args: Schema } | FunctionSpec;

/**
 * The functions a client is made of, by SQL name: every member of `A` a {@linkcode ClientFunction}.
 * A mapped type rather than an index signature, so that an interface (which has none) satisfies it.
 */
export type ClientFunctions<A> = { readonly [K in keyof A]: ClientFunction };

/** The method of one function: a wrapped handler's input and result types, or a {@linkcode FunctionSpec}'s. */
export type ClientMethod<F> = F extends Wrapped<"query" | "mutation", infer S extends Schema, infer R>
  ? (args: InferInput<S>) => Promise<R>
  : F extends FunctionSpec<infer A, infer R> ? (args: A) => Promise<R>
  : never;

/** One method per function of `A`. */
export type Client<A> = { readonly [K in keyof A]: ClientMethod<A[K]> };

/** Options of {@linkcode createClient}. */
export interface ClientOptions<A> {
  /** The environment whose active deployment is called. */
  env: string;
  /**
   * The wrapped handlers by SQL name (`{ greet, todos_add: add }`): their schemas validate the
   * arguments before the call. Without it, give the types as `createClient<Api>(...)` (from
   * `stopgap types`); the server still validates.
   */
  functions?: A;
}

/**
 * Calls function `name` of the active deployment of `env` (`stopgap.call_fn`), with the caller's rights.
 *
 * @param options the client, environment, function name and arguments (default `{}`)
 * @returns the function's result, parsed from jsonb
 * @throws a postgres.js `PostgresError` (42883 unknown function, 22023 invalid arguments, the handler's errors)
 *
 * @example Calling one function by name
 * ```ts ignore
 * import { call } from "../mod.ts";
 *
 * console.log(await call({ sql, env: "prod", name: "greet", args: { name: "ada" } }));
 * ```
 */
export async function call(
  options: { sql: Sql; env: string; name: string; args?: unknown },
): Promise<unknown> {
  const { sql, env, name } = options;
  const args = options.args === undefined ? {} : options.args;
  const [row] = await sql`select stopgap.call_fn(${env}, ${name}, ${sql.json(args as postgres.JSONValue)}) as result`;
  return row.result;
}

/**
 * A client whose methods call the deployed functions of `options.env`.
 *
 * @param sql a postgres.js client
 * @param options the environment, and the wrapped handlers by SQL name for client-side validation
 * @returns an object with one async method per function
 * @throws {ValidationError} from a method, before any round trip, when the arguments do not match the schema
 *
 * @example With the function modules imported (types and validation from the same schemas)
 * ```ts ignore
 * import postgres from "postgres";
 * import { createClient } from "../mod.ts";
 * import greet from "./functions/greet.ts";
 *
 * const sql = postgres(Deno.env.get("DATABASE_URL")!);
 * const client = createClient(sql, { env: "prod", functions: { greet } });
 * const { greeting } = await client.greet({ name: "ada" });
 * ```
 *
 * @example With declarations from `stopgap types --env prod --out api.d.ts`
 * ```ts ignore
 * import { createClient } from "../mod.ts";
 * import type { Api } from "./api.d.ts";
 *
 * const client = createClient<Api>(sql, { env: "prod" });
 * ```
 */
export function createClient<A extends ClientFunctions<A>>(
  sql: Sql,
  options: ClientOptions<A>,
): Client<A> {
  checkEnvName(options.env);
  const method = (name: string) => async (args: unknown) => {
    const fn = (options.functions as Record<string, { args?: Schema }> | undefined)?.[name];
    if (fn?.args) {
      const checked = v.safeParse(asValibot(fn.args), args);
      if (!checked.success) throw new ValidationError("arguments", checked.issues);
    }
    // The original arguments are sent: the server validates (and transforms) them itself.
    return await call({ sql, env: options.env, name, args });
  };
  if (options.functions) {
    return Object.fromEntries(Object.keys(options.functions).map((name) => [name, method(name)])) as Client<A>;
  }
  const methods = new Map<string, ReturnType<typeof method>>();
  return new Proxy({}, {
    get(_target, property) {
      // Not a function name: promise resolution and inspection probe these.
      if (typeof property !== "string" || property === "then" || property === "toJSON") return undefined;
      let found = methods.get(property);
      if (!found) methods.set(property, found = method(property));
      return found;
    },
  }) as Client<A>;
}

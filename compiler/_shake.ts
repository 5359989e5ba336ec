/**
 * Tree shaking of the function bundles, so that each holds only the code its export uses.
 *
 * `deno bundle` (esbuild) keeps every top-level statement it cannot prove free of side effects. A
 * call of an imported function is such a statement unless it is annotated `/* @__PURE__ *\/`, and
 * the built-in modules stay imports, so esbuild cannot see that `query(...)`, `mutation(...)` and
 * valibot's `v.object(...)` are pure: the bundle of `one` in a module that also exports `two` and
 * `three` would hold all three, and removing `two` would change the body of `one`. So, after the
 * first bundle:
 *
 * 1. a lint plugin annotates as pure the calls of the built-in modules' functions that initialise a
 *    top-level variable (outside any function or block, so no local can shadow the import);
 * 2. a second `deno bundle` of each bundle drops what its export does not use;
 * 3. the plugin drops the imports of the built-in modules that nothing uses any more;
 * 4. the plugin finds the uses of globals plts does not have (`globals.ts`), for warnings.
 *
 * Source maps survive both bundles: the first `deno bundle` writes a map beside each bundle
 * (`--sourcemap=linked`), and the second one reads it (esbuild follows the bundle's
 * `sourceMappingURL` comment) and writes one map from the shaken bundle to the original files.
 * The annotations of step 1 move code right on their lines, so the first map is moved with them
 * before the second bundle reads it; step 3 leaves an import's lines empty instead of removing
 * them, so the lines after it keep their numbers and the map stays right. Last, the positions in
 * the JavaScript files the first `deno bundle` re-printed move to the files' own (`_reprint.ts`).
 *
 * The plugin runs in `deno lint --fix` (step 4: `deno lint --json`), whose JavaScript AST is
 * Deno's own; its source is written into the build directory (a `deno compile`d CLI cannot hand
 * its own files to another process).
 *
 * @module
 */

import { join, resolve } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import type { DenoRun } from "./_deno.ts";
import { type MapWithContent, type Restored, restoreOriginalPositions } from "./_reprint.ts";
import { dropLines, editColumns, insertions, offsetLines, type SourceMap } from "./sourcemap.ts";

/** Runs `deno <args>` in a directory. */
export type RunDeno = (args: string[], cwd: string) => Promise<DenoRun>;

/**
 * Rule `stopgap/pure`: `/* @__PURE__ *\/` before each call of a built-in module's function that
 * initialises a top-level variable. Serialised with `toString` into the plugin: it uses nothing
 * but its parameters.
 */
function markPure(context: Deno.lint.RuleContext, builtins: readonly string[]): Deno.lint.LintVisitor {
  const scopes = new Set([
    "ArrowFunctionExpression",
    "BlockStatement",
    "CatchClause",
    "ClassBody",
    "ForInStatement",
    "ForOfStatement",
    "ForStatement",
    "FunctionDeclaration",
    "FunctionExpression",
    "StaticBlock",
    "SwitchStatement",
  ]);
  const imported = new Set<string>();
  return {
    Program(program) {
      for (const statement of program.body) {
        if (statement.type !== "ImportDeclaration" || !builtins.includes(statement.source.value)) continue;
        for (const specifier of statement.specifiers) imported.add(specifier.local.name);
      }
    },
    CallExpression(node) {
      let callee: Deno.lint.Node = node.callee;
      while (callee.type === "MemberExpression") callee = callee.object;
      if (callee.type !== "Identifier" || !imported.has(callee.name)) return;
      const ancestors = context.sourceCode.getAncestors(node);
      if (!ancestors.some((a) => a.type === "VariableDeclarator") || ancestors.some((a) => scopes.has(a.type))) return;
      if (context.sourceCode.getCommentsBefore(node).some((c) => /[@#]__PURE__/.test(c.value))) return;
      context.report({ node, message: "pure", fix: (fixer) => fixer.insertTextBefore(node, "/* @__PURE__ */ ") });
    },
  };
}

/**
 * Rule `stopgap/unused-imports`: drops the specifiers of the built-in modules' imports whose names
 * no identifier of the module uses (a name that also appears as a property or a shadowing local
 * counts as used), and an import left without any. An import's lines stay, empty: the lines after
 * it keep their numbers. Serialised like {@linkcode markPure}.
 */
function dropUnusedImports(context: Deno.lint.RuleContext, builtins: readonly string[]): Deno.lint.LintVisitor {
  const specifierTypes = new Set(["ImportSpecifier", "ImportDefaultSpecifier", "ImportNamespaceSpecifier"]);
  const imports: Deno.lint.ImportDeclaration[] = [];
  const used = new Set<string>();
  const text = (node: Deno.lint.ImportDeclaration, kept: Deno.lint.ImportDeclaration["specifiers"]) => {
    const parts: string[] = [];
    const named: string[] = [];
    for (const s of kept) {
      if (s.type === "ImportDefaultSpecifier") parts.unshift(s.local.name);
      else if (s.type === "ImportNamespaceSpecifier") parts.push(`* as ${s.local.name}`);
      else {
        const name = s.imported.type === "Identifier" ? s.imported.name : JSON.stringify(s.imported.value);
        named.push(name === s.local.name ? name : `${name} as ${s.local.name}`);
      }
    }
    if (named.length > 0) parts.push(`{ ${named.join(", ")} }`);
    return `import ${parts.join(", ")} from ${JSON.stringify(node.source.value)};`;
  };
  return {
    ImportDeclaration(node) {
      if (builtins.includes(node.source.value) && node.attributes.length === 0) imports.push(node);
    },
    Identifier(node) {
      if (!specifierTypes.has(node.parent.type)) used.add(node.name);
    },
    "Program:exit"() {
      for (const node of imports) {
        const kept = node.specifiers.filter((s) => used.has(s.local.name));
        if (kept.length === node.specifiers.length) continue;
        // The line breaks of the import stay, so that every later line keeps its number and the
        // bundle's source map stays right.
        const breaks = "\n".repeat(context.sourceCode.getText(node).split("\n").length - 1);
        context.report({
          node,
          message: "unused",
          fix: (fixer) => fixer.replaceText(node, kept.length === 0 ? breaks : text(node, kept) + breaks),
        });
      }
    },
  };
}

/**
 * Rule `stopgap/globals`: reports each use of a global of `names` (by the name, as the message)
 * that the bundle does not declare anywhere: an identifier in a reference position, or
 * `globalThis.<name>` called or read from. Not reported: the operand of `typeof`, and a use in a
 * branch of an `if`, `?:`, `&&`, `||` or `??` whose condition tests `typeof <name>` (or, for
 * `globalThis.<name>`, mentions it): that is how packages guard.
 * Serialised like {@linkcode markPure}.
 */
function reportGlobals(context: Deno.lint.RuleContext, names: readonly string[]): Deno.lint.LintVisitor {
  const wanted = new Set(names);
  const declared = new Set<string>();
  const uses: { node: Deno.lint.Node; name: string }[] = [];
  // Nodes are compared by type and range: the AST may hand out a new object for each access.
  const same = (a: Deno.lint.Node | null | undefined, b: Deno.lint.Node) =>
    a != null && a.type === b.type && a.range[0] === b.range[0] && a.range[1] === b.range[1];
  const within = (outer: Deno.lint.Node | null | undefined, inner: Deno.lint.Node) =>
    outer != null && outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
  const declare = (pattern: Deno.lint.Node | Deno.lint.Parameter | null | undefined): void => {
    if (pattern == null) return;
    if (pattern.type === "Identifier") declared.add(pattern.name);
    else if (pattern.type === "ObjectPattern") {
      for (const p of pattern.properties) declare(p.type === "RestElement" ? p.argument : p.value);
    } else if (pattern.type === "ArrayPattern") { for (const e of pattern.elements) declare(e); }
    else if (pattern.type === "RestElement") declare(pattern.argument);
    else if (pattern.type === "AssignmentPattern") declare(pattern.left);
    else if (pattern.type === "TSParameterProperty") declare(pattern.parameter);
  };
  const declareFunction = (
    node: Deno.lint.FunctionDeclaration | Deno.lint.FunctionExpression | Deno.lint.ArrowFunctionExpression,
  ) => {
    if (node.type !== "ArrowFunctionExpression") declare(node.id);
    for (const p of node.params) declare(p);
  };
  const isReference = (node: Deno.lint.Identifier) => {
    const parent = node.parent;
    switch (parent.type) {
      case "MemberExpression":
        return parent.computed || !same(parent.property, node);
      case "Property":
        return parent.computed || !same(parent.key, node) ||
          (parent.shorthand && parent.parent.type === "ObjectExpression");
      case "MethodDefinition":
      case "PropertyDefinition":
        return parent.computed || !same(parent.key, node);
      case "LabeledStatement":
      case "BreakStatement":
      case "ContinueStatement":
      case "ImportSpecifier":
      case "ImportDefaultSpecifier":
      case "ImportNamespaceSpecifier":
      case "ExportSpecifier":
      case "MetaProperty":
        return false;
      case "UnaryExpression":
        return parent.operator !== "typeof";
      default:
        return true;
    }
  };
  const guarded = (node: Deno.lint.Node, name: string) => {
    const test = node.type === "MemberExpression"
      ? new RegExp(`\\bglobalThis\\s*\\.\\s*${name}\\b|\\btypeof\\s*\\(?\\s*${name}\\b`)
      : new RegExp(`\\btypeof\\s*\\(?\\s*(?:globalThis\\s*\\.\\s*)?${name}\\b`);
    return context.sourceCode.getAncestors(node).some((a) => {
      const condition = a.type === "IfStatement" || a.type === "ConditionalExpression"
        ? a.test
        : a.type === "LogicalExpression"
        ? a.left
        : undefined;
      return condition !== undefined && !within(condition, node) && test.test(context.sourceCode.getText(condition));
    });
  };
  return {
    VariableDeclarator: (node) => declare(node.id),
    FunctionDeclaration: declareFunction,
    FunctionExpression: declareFunction,
    ArrowFunctionExpression: declareFunction,
    ClassDeclaration: (node) => declare(node.id),
    ClassExpression: (node) => declare(node.id),
    CatchClause: (node) => declare(node.param),
    ImportSpecifier: (node) => declare(node.local),
    ImportDefaultSpecifier: (node) => declare(node.local),
    ImportNamespaceSpecifier: (node) => declare(node.local),
    Identifier(node) {
      if (wanted.has(node.name) && isReference(node)) uses.push({ node, name: node.name });
    },
    MemberExpression(node) {
      if (node.object.type !== "Identifier" || node.object.name !== "globalThis") return;
      const property = node.property;
      const name = !node.computed && property.type === "Identifier"
        ? property.name
        : node.computed && property.type === "Literal" && typeof property.value === "string"
        ? property.value
        : undefined;
      if (name === undefined || !wanted.has(name)) return;
      // Reading globalThis.<name> gives undefined; calling it or reading its properties fails.
      const parent = node.parent;
      const used = (parent.type === "CallExpression" || parent.type === "NewExpression") && same(parent.callee, node) ||
        parent.type === "MemberExpression" && same(parent.object, node) ||
        parent.type === "TaggedTemplateExpression" && same(parent.tag, node);
      if (used) uses.push({ node, name });
    },
    "Program:exit"() {
      for (const { node, name } of uses) {
        const via = node.type === "MemberExpression" ? "globalThis" : name;
        if (declared.has(via) || guarded(node, name)) continue;
        context.report({ node, message: name });
      }
    },
  };
}

/** The plugin module: the rules, with the built-in modules' specifiers and the missing globals. */
function pluginSource(builtins: readonly string[], globals: readonly string[]): string {
  return `// The stopgap compiler's lint plugin (compiler/_shake.ts).
const BUILTINS = ${JSON.stringify(builtins)};
const GLOBALS = ${JSON.stringify(globals)};
const markPure = ${markPure.toString()};
const dropUnusedImports = ${dropUnusedImports.toString()};
const reportGlobals = ${reportGlobals.toString()};
export default {
  name: "stopgap",
  rules: {
    pure: { create: (context) => markPure(context, BUILTINS) },
    "unused-imports": { create: (context) => dropUnusedImports(context, BUILTINS) },
    globals: { create: (context) => reportGlobals(context, GLOBALS) },
  },
};
`;
}

/** A use of a missing global in a shaken bundle, at a 0-based line and column of its code. */
export interface GlobalUse {
  /** The global's name. */
  name: string;
  /** 0-based line of the code. */
  line: number;
  /** 0-based column. */
  column: number;
}

/** One shaken bundle. */
export interface ShakenBundle {
  /** The ES module, ending with a line break. */
  code: string;
  /** Its source map; each source an absolute path or a URL. */
  map: SourceMap;
  /** The uses of the globals asked for, in the order of the code. */
  globals: GlobalUse[];
}

/** The plugin's rules. */
const RULES = ["pure", "unused-imports", "globals"];

/** Whether a `deno lint --json` report lists no diagnostics and no errors. */
function nothingReported(report: string): boolean {
  try {
    const parsed = JSON.parse(report) as { diagnostics?: unknown[]; errors?: unknown[] };
    return (parsed.diagnostics?.length ?? 1) === 0 && (parsed.errors?.length ?? 1) === 0;
  } catch {
    return false;
  }
}

/** What `/* @__PURE__ *\/` annotations `stopgap/pure` inserts. */
const PURE = "/* @__PURE__ */ ";

/**
 * Shakes the bundles `<name>.js` of `bundled` (one `deno bundle --sourcemap=linked` output per
 * function) and returns, by name, the shaken code, its source map (composed with the first
 * bundle's map by esbuild) and its uses of the `globals`.
 *
 * @param runDeno runs `deno`
 * @param build a scratch directory of this compile
 * @param bundled the directory of the first bundles
 * @param names the functions, each bundled as `<name>.js`
 * @param externals the built-in modules, left as imports
 * @param globals the globals to report uses of
 * @throws {Error} with Deno's output when a step fails (the input is esbuild's own output, so only
 *   a broken Deno can make it fail)
 */
export async function shake(
  runDeno: RunDeno,
  build: string,
  bundled: string,
  names: string[],
  externals: readonly string[],
  globals: readonly string[],
): Promise<Map<string, ShakenBundle>> {
  await Deno.writeTextFile(join(build, "stopgap_lint.js"), pluginSource(externals, globals));
  const lint = async (rule: string, dir: string, json = false) => {
    const config = join(build, `lint_${rule}.json`);
    // A plugin's rules all run unless excluded.
    const exclude = RULES.filter((r) => r !== rule).map((r) => `stopgap/${r}`);
    const settings = {
      lint: { plugins: ["./stopgap_lint.js"], rules: { tags: [], include: [`stopgap/${rule}`], exclude } },
    };
    await Deno.writeTextFile(config, JSON.stringify(settings));
    const args = ["lint", ...(json ? ["--json"] : ["--fix"]), "--config", config, dir];
    let run = await runDeno(args, build);
    // Under heavy load `deno lint --fix` (2.9.6) now and then exits 1 having reported nothing but
    // "Checked N files", sometimes twice in a row. The fixes are idempotent: such a run counts as
    // done when a report of the rule then finds nothing left to fix, and is tried again otherwise.
    for (let attempt = 0; !json && run.code !== 0 && attempt < 3; attempt++) {
      if (!/^\s*Checked \d+ files?\s*$/.test(run.stderr + run.stdout)) break;
      const left = await runDeno(["lint", "--json", "--config", config, dir], build);
      if (left.code === 0 && nothingReported(left.stdout)) return left;
      run = await runDeno(args, build);
    }
    if (!json) check(run, `deno lint (stopgap/${rule})`);
    return run;
  };
  const read = (dir: string) =>
    Promise.all(names.map(async (name) => await Deno.readTextFile(join(dir, `${name}.js`))));

  // The annotations move code right on their lines: the first bundle's map follows, so that the
  // second bundle, which reads it (the file's sourceMappingURL comment), composes a right map.
  const unmarked = await read(bundled);
  await lint("pure", bundled);
  const marked = await read(bundled);
  await Promise.all(names.map(async (name, i) => {
    const edits = insertions(unmarked[i], marked[i], PURE);
    if (edits.length === 0) return;
    const path = join(bundled, `${name}.js.map`);
    await Deno.writeTextFile(path, JSON.stringify(editColumns(JSON.parse(await Deno.readTextFile(path)), edits)));
  }));

  const shaken = join(build, "shaken");
  const inputs = names.map((name) => join(bundled, `${name}.js`));
  const args = ["bundle", "--no-config", "--platform", "browser", "--format", "esm", "--sourcemap=external"];
  args.push(...externals.flatMap((name) => ["--external", name]), "--outdir", shaken, ...inputs);
  check(await runDeno(args, build), "deno bundle (tree shaking)");

  const unpruned = await read(shaken);
  await lint("unused-imports", shaken);
  const pruned = await read(shaken);

  const report = await lint("globals", shaken, true);
  const uses = new Map<string, GlobalUse[]>();
  let parsed: { diagnostics: LintDiagnostic[]; errors: unknown[] };
  try {
    parsed = JSON.parse(report.stdout);
  } catch {
    throw new Error(`deno lint (stopgap/globals) failed:\n${report.stderr || report.stdout}`);
  }
  if (parsed.errors.length > 0) {
    throw new Error(`deno lint (stopgap/globals) failed:\n${JSON.stringify(parsed.errors)}`);
  }
  for (const d of parsed.diagnostics) {
    if (d.code !== "stopgap/globals") continue;
    const file = fromFileUrl(d.filename);
    const list = uses.get(file) ?? [];
    list.push({ name: d.message, line: d.range.start.line - 1, column: d.range.start.col });
    uses.set(file, list);
  }

  const result = new Map<string, ShakenBundle>();
  // The JavaScript files of the bundles, read once for all of them.
  const restored = new Map<string, Restored>();
  for (const [i, name] of names.entries()) {
    let code = pruned[i];
    const read: MapWithContent = JSON.parse(await Deno.readTextFile(join(shaken, `${name}.js.map`)));
    const absolute = read.sources.map((source) => isUrl(source) ? source : resolve(shaken, source));
    let map: SourceMap = restoreOriginalPositions({ ...read, sources: absolute }, readSource, restored);
    // The imports of the built-in modules map nothing: whether the last rule rewrote one depends
    // on the module's other exports, and the body of this one must not.
    const before = unpruned[i].split("\n");
    const imports = code.split("\n").flatMap((line, n) =>
      line !== before[n] || builtinImport(line, externals) ? [n] : []
    );
    map = dropLines(map, imports);
    let found = (uses.get(join(shaken, `${name}.js`)) ?? []).sort((a, b) => a.line - b.line || a.column - b.column);
    // esbuild names the bundled file, here a path inside this compile's scratch directory.
    const header = `// ${bundled.slice(build.length + 1)}/${name}.js\n`;
    if (code.startsWith(header)) {
      code = code.slice(header.length);
      map = offsetLines(map, -1);
      found = found.map((use) => ({ ...use, line: use.line - 1 }));
    }
    result.set(name, {
      code,
      map: { version: 3, sources: map.sources, names: map.names, mappings: map.mappings },
      globals: found,
    });
  }
  return result;
}

/** Whether a map's source is a URL (a remote module), not a path. */
function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(source);
}

/** The text of a source file of a bundle, for {@linkcode restoreOriginalPositions}; `null` for a URL or a file gone. */
function readSource(source: string): string | null {
  if (isUrl(source)) return null;
  try {
    return Deno.readTextFileSync(source);
  } catch {
    return null;
  }
}

/** Whether `line` is an import of a built-in module, as esbuild prints one (on one line). */
function builtinImport(line: string, externals: readonly string[]): boolean {
  const match = /^import\b.*?("(?:[^"\\]|\\.)*");$/.exec(line);
  return match !== null && externals.includes(JSON.parse(match[1]));
}

/** A diagnostic of `deno lint --json`. */
interface LintDiagnostic {
  filename: string;
  range: { start: { line: number; col: number } };
  message: string;
  code: string;
}

function check(run: DenoRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} failed:\n${run.stderr || run.stdout}`);
}

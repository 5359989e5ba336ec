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
 * 3. the plugin drops the imports of the built-in modules that nothing uses any more.
 *
 * The plugin runs in `deno lint --fix`, whose JavaScript AST is Deno's own; its source is written
 * into the build directory (a `deno compile`d CLI cannot hand its own files to another process).
 *
 * @module
 */

import { join } from "node:path";
import type { DenoRun } from "./_deno.ts";

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
 * counts as used), and an import left without any. Serialised like {@linkcode markPure}.
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
        const source = context.sourceCode.text;
        const end = source[node.range[1]] === "\n" ? node.range[1] + 1 : node.range[1];
        context.report({
          node,
          message: "unused",
          fix: (fixer) =>
            kept.length === 0 ? fixer.removeRange([node.range[0], end]) : fixer.replaceText(node, text(node, kept)),
        });
      }
    },
  };
}

/** The plugin module: both rules, with the built-in modules' specifiers. */
function pluginSource(builtins: readonly string[]): string {
  return `// The stopgap compiler's lint plugin (compiler/_shake.ts).
const BUILTINS = ${JSON.stringify(builtins)};
const markPure = ${markPure.toString()};
const dropUnusedImports = ${dropUnusedImports.toString()};
export default {
  name: "stopgap",
  rules: {
    pure: { create: (context) => markPure(context, BUILTINS) },
    "unused-imports": { create: (context) => dropUnusedImports(context, BUILTINS) },
  },
};
`;
}

/**
 * Shakes the bundles `<name>.js` of `bundled` (one `deno bundle` output per function) and returns
 * the shaken code by name.
 *
 * @param runDeno runs `deno`
 * @param build a scratch directory of this compile
 * @param bundled the directory of the first bundles
 * @param names the functions, each bundled as `<name>.js`
 * @param externals the built-in modules, left as imports
 * @throws {Error} with Deno's output when a step fails (the input is esbuild's own output, so only
 *   a broken Deno can make it fail)
 */
export async function shake(
  runDeno: RunDeno,
  build: string,
  bundled: string,
  names: string[],
  externals: readonly string[],
): Promise<Map<string, string>> {
  await Deno.writeTextFile(join(build, "stopgap_lint.js"), pluginSource(externals));
  const lint = async (rule: string, dir: string) => {
    const config = join(build, `lint_${rule}.json`);
    const settings = { lint: { plugins: ["./stopgap_lint.js"], rules: { tags: [], include: [`stopgap/${rule}`] } } };
    await Deno.writeTextFile(config, JSON.stringify(settings));
    check(await runDeno(["lint", "--fix", "--config", config, dir], build), `deno lint (stopgap/${rule})`);
  };
  await lint("pure", bundled);
  const shaken = join(build, "shaken");
  const inputs = names.map((name) => join(bundled, `${name}.js`));
  const args = ["bundle", "--no-config", "--platform", "browser", "--format", "esm"];
  args.push(...externals.flatMap((name) => ["--external", name]), "--outdir", shaken, ...inputs);
  check(await runDeno(args, build), "deno bundle (tree shaking)");
  await lint("unused-imports", shaken);
  const result = new Map<string, string>();
  for (const name of names) {
    const code = await Deno.readTextFile(join(shaken, `${name}.js`));
    // esbuild names the bundled file, here a path inside this compile's scratch directory.
    const header = `// ${bundled.slice(build.length + 1)}/${name}.js\n`;
    result.set(name, code.startsWith(header) ? code.slice(header.length) : code);
  }
  return result;
}

function check(run: DenoRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} failed:\n${run.stderr || run.stdout}`);
}

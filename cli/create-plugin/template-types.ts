import type { PluginKind } from '../../core/plugin-api/common.js'

/** What every template gets: the names it writes into the files, derived once from `<name>`. */
export interface TemplateContext {
  /** The `<name>` argument, kebab-case (`exact-answer`). */
  name: string
  /** The npm package: `bonbench-plugin-<name>`. */
  packageName: string
  /** The plugin's namespaced name: `bonbench-plugin-<name>/<name>`. */
  pluginName: string
  /** The factory's export name: `<name>` in camelCase (`exactAnswer`), or with the kind appended where that would not compile (`classVerifier`; see exportIdentifier). */
  identifier: string
  /** The semver range of bonbench the plugin needs (`^0.1.0`): `meta.apiVersion` and the peer dependency. */
  bonbenchRange: string
  /** The package root of the bonbench running create-plugin: the scaffold's \`file:\` development dependency. */
  bonbenchRoot: string
}

/**
 * One kind's template: the source and test of the scaffolded package and the kind-specific
 * parts of its README. Each returns finished TypeScript or Markdown text; the scaffold writes it
 * as is. The e2e test (test/e2e/create-plugin.test.ts) type-checks and runs what they produce.
 */
export interface PluginTemplate {
  kind: PluginKind
  /** One sentence: what the scaffolded plugin does (package.json description, README). */
  summary: string
  /** `src/index.ts`: the plugin, defined with the kit, with one zod option. */
  source(ctx: TemplateContext): string
  /** `src/index.test.ts`: node:test, the kind's contract tester from `bonbench/testing`, and the option. */
  test(ctx: TemplateContext): string
  /** The README's "Use it" config: where the plugin goes in `bench.config.ts`. */
  usage(ctx: TemplateContext): string
  /** The README's option line: `- \`name\` (type, default …): what it does`. */
  option: string
}

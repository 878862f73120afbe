import type { PluginTemplate, TemplateContext } from './template-types.js'

/** Versions the scaffold writes into package.json: bonbench's own, read from its package.json. */
export interface ToolVersions {
  /** The installed bonbench's version (`0.1.0`). */
  bonbench: string
  /** TypeScript and @types/node as bonbench itself builds with (its devDependencies). */
  typescript: string
  typesNode: string
  /**
   * The package root of the bonbench that runs `bench create-plugin` (a checkout or an installed
   * copy): the scaffold's development dependency `file:<root>`, since bonbench is not on the npm
   * registry, so `npm install` in the scaffold links it instead of fetching it.
   */
  bonbenchRoot: string
}

/**
 * package.json of a scaffolded plugin: ESM, the compiled `dist/index.js` as its one export (with
 * types), bonbench as a peer dependency (the plugin runs inside the user's bonbench) and as a
 * development dependency on the bonbench that made it (`file:<its package root>`: bonbench is not
 * on the npm registry, so npm, which installs peer dependencies, would fail with E404 without it),
 * and node:test on the compiled output as its test runner, so it needs nothing but TypeScript.
 */
export function packageJson(ctx: TemplateContext, template: PluginTemplate, versions: ToolVersions): string {
  const manifest = {
    name: ctx.packageName,
    version: '0.1.0',
    description: template.summary,
    keywords: ['bonbench', 'bonbench-plugin', `bonbench-${template.kind}`],
    license: 'MIT',
    type: 'module',
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    files: ['dist/', '!dist/**/*.test.*'],
    engines: { node: '>=20' },
    scripts: {
      build: 'tsc',
      test: 'npm run build && node --test dist/*.test.js',
      prepack: 'npm run build',
    },
    peerDependencies: { bonbench: ctx.bonbenchRange },
    devDependencies: { '@types/node': caret(versions.typesNode), bonbench: fileSpec(versions.bonbenchRoot), typescript: caret(versions.typescript) },
  }
  return `${JSON.stringify(manifest, null, 2)}\n`
}

/** tsconfig.json: strict NodeNext ESM from src/ to dist/ with declarations. */
export function tsconfigJson(): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      declaration: true,
      skipLibCheck: true,
      types: ['node'],
      rootDir: 'src',
      outDir: 'dist',
    },
    include: ['src'],
  }
  return `${JSON.stringify(config, null, 2)}\n`
}

/**
 * .npmrc: `ignore-scripts=true`. npm runs the `prepare` script of a folder dependency
 * (`file:<bonbench>`) on every `npm install`, and bonbench's `prepare` rebuilds it from its
 * sources: that would delete an installed bonbench's `dist/` (it ships no sources) and rebuild a
 * checkout's under its feet. `npm test` and `npm run build` still run (npm runs a script asked for
 * by name); `npm publish` no longer runs `prepack`, so the README builds before publishing.
 */
export function npmrc(): string {
  return `# npm install links bonbench from a folder (devDependencies, file:…) and would run its prepare
# script (a rebuild of bonbench) each time: leave dependency scripts off. npm test and npm run build
# still run; build before npm publish (npm test does), since prepack does not run either.
ignore-scripts=true
`
}

/** .gitignore: what npm install and the build write. */
export function gitignore(): string {
  return 'node_modules/\ndist/\n'
}

/** README.md: what the plugin does, how to use it in a config, its option, and how to develop and publish it. */
export function readme(ctx: TemplateContext, template: PluginTemplate): string {
  return `# ${ctx.packageName}

${template.summary}

A bonbench ${template.kind} plugin, \`${ctx.pluginName}\`, made with
\`bench create-plugin ${template.kind} ${ctx.name}\`. It needs bonbench ${ctx.bonbenchRange}.

## Use it

In a project with bonbench installed:

\`\`\`sh
npm i -D <path of this folder>    # or: npm i -D ${ctx.packageName}, once it is published
npx bench list ${ctx.name}        # its options, with defaults
\`\`\`

\`\`\`ts
// bench.config.ts
import { defineConfig } from 'bonbench'

${template.usage(ctx)}
\`\`\`

\`bench list\` finds the installed package by its \`bonbench-plugin-\` name; the config refers to the
plugin by its full name \`${ctx.pluginName}\` or the short \`${ctx.name}\`.

## Options

- ${template.option}

## Develop

\`\`\`sh
npm install      # TypeScript, and bonbench linked from ${ctx.bonbenchRoot}
npm test         # compiles src/ to dist/, then runs the tests with node:test
\`\`\`

bonbench is not on the npm registry: package.json names it twice, as the peer dependency
(\`${ctx.bonbenchRange}\`, what users of the plugin need) and as a development dependency on the
bonbench that made this package (\`file:${ctx.bonbenchRoot}\`), which \`npm install\` links
instead of fetching. If that folder moves, change the path (a bonbench checkout or tarball works
too). \`.npmrc\` sets \`ignore-scripts=true\` so that \`npm install\` does not run bonbench's own
build script in that folder.

\`src/index.ts\` defines the plugin with bonbench's plugin kit (\`define${capitalize(template.kind)}\` and a zod
options schema). \`src/index.test.ts\` runs the ${template.kind} contract tester from \`bonbench/testing\` —
the checks bonbench runs over its own built-ins — and a test of the option. See bonbench's
docs/plugins.md for the contract of each kind.

## Publish

Keep \`meta.version\` in \`src/index.ts\` equal to package.json's \`version\`, and \`meta.apiVersion\` to the
bonbench versions you tested with (bonbench refuses the plugin outside that range). Then
\`npm test && npm publish\` (\`npm test\` builds \`dist/\`; with \`ignore-scripts\`, \`prepack\` does
not). The published package keeps the \`file:\` development dependency, which its users never
install. The package name \`${ctx.packageName}\` is how \`bench list\` discovers it.
`
}

function caret(version: string): string {
  return /^\d/.test(version) ? `^${version}` : version
}

/** A \`file:\` dependency on a folder, with forward slashes (npm reads them on every platform). */
function fileSpec(dir: string): string {
  return `file:${dir.split('\\').join('/')}`
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}

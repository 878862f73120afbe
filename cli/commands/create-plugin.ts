import type { Command } from 'commander'
import { relative } from 'node:path'
import { packageRoot } from '../../core/package-root.js'
import { scaffoldPlugin, toolVersions } from '../create-plugin/scaffold.js'
import { pluginTemplates } from '../create-plugin/templates/index.js'
import { addExamples } from '../option-vocabulary.js'

/** `bench create-plugin <kind> <name>`: scaffolds a `bonbench-plugin-<name>` package (TypeScript, a contract test, a README). */
export function registerCreatePlugin(program: Command): void {
  const command = program
    .command('create-plugin <kind> <name>')
    .description(
      `scaffold a plugin package bonbench-plugin-<name> of one kind (${Object.keys(pluginTemplates).join(', ')}): TypeScript with the plugin kit, a contract test, a README`,
    )
    .option('--dir <path>', 'the package folder, new or empty (default: ./bonbench-plugin-<name>)')
  addExamples(command, ['bench create-plugin verifier regex-answer', 'bench create-plugin task my-dataset --dir packages/my-dataset']).action(
    (kind: string, name: string, flags: { dir?: string }) => {
      const cwd = process.cwd()
      const made = scaffoldPlugin({ kind, name, dir: flags.dir, cwd, versions: toolVersions(packageRoot) })
      const where = relative(cwd, made.dir) || '.'
      const lines = [
        `created ${made.packageName} (${kind} ${made.pluginName}) in ${where}:`,
        ...made.files.map((file) => `  ${file}`),
        '',
        'next:',
        `  cd ${where}`,
        `  npm install     # TypeScript, and bonbench linked from ${packageRoot}`,
        '  npm test        # builds, then runs the contract test',
        '',
        `bonbench is not on the npm registry: package.json names it as a peer dependency (${made.bonbenchRange}) and as the`,
        `development dependency file:${packageRoot}, so npm install links this bonbench (change the path if it moves).`,
      ]
      process.stdout.write(lines.join('\n') + '\n')
    },
  )
}

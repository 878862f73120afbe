import { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../core/package-root.js'
import { commands } from './commands/index.js'
import { helpConfiguration } from './option-vocabulary.js'

const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }

/**
 * Builds the `bench` program for `argv`: when its first word names a command, only that command
 * is registered (its module alone is imported: a fast start); otherwise (no command, --help,
 * `help <command>`, a typo) every command is, so the help and the "did you mean" hints are whole.
 */
export async function createProgram(argv: string[]): Promise<Command> {
  const program = new Command('bench')
    .description('bonbench: inference-aware fine-tuning and exact Best-of-N evaluation')
    .version(pkg.version, '-V, --version')
    .configureHelp(helpConfiguration)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) })
    // Before the commands are added: each subcommand copies it, so its parse errors throw too.
    .exitOverride()
  // The program itself takes only -V/-h, so the first word that is not an option is the command.
  const named = argv.slice(2).find((arg) => !arg.startsWith('-'))
  const wanted = named !== undefined && Object.hasOwn(commands, named) ? [named] : Object.keys(commands)
  for (const register of await Promise.all(wanted.map((name) => commands[name]!()))) register(program)
  return program
}

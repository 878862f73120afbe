import { Command, CommanderError } from 'commander'
import { readFileSync } from 'node:fs'
import { isBenchError } from '../errors.js'
import { commands } from './commands/index.js'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

/** Builds the `bench` program with every command registered. */
export function createProgram(): Command {
  const program = new Command('bench')
    .description('bonbench: inference-aware fine-tuning and exact Best-of-N evaluation')
    .version(pkg.version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) })
  for (const register of commands) register(program)
  return program
}

async function main(argv: string[]): Promise<void> {
  const program = createProgram().exitOverride()
  try {
    await program.parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode
      return
    }
    if (isBenchError(error)) {
      process.stderr.write(`bench: ${error.message}\n`)
      process.exitCode = 2
      return
    }
    throw error
  }
}

// Started by bin/bench.js with an IPC channel: exit when the parent goes away (even by SIGKILL).
if (process.channel) {
  process.on('disconnect', () => process.exit(process.exitCode ?? 137))
  process.channel.unref()
}

await main(process.argv)

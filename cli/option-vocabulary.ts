import { type Command, type Help, Option } from 'commander'
import { BenchError } from '../core/errors.js'

/**
 * The shared vocabulary of every command's options, so one concept has one spelling and one short
 * flag one meaning: `-t` is `--temperatures`, `-o` is `--out`, `-n` is `--n`, `-k` is `--k`,
 * `-c` is `--config`, `-m` is `--model`, `-d` is `--data`, `-s` is `--strategies`, `-p` is
 * `--preset`, `-f` is `--format`, `-V` is `--version`. Old spellings live on as hidden,
 * deprecated aliases ({@link deprecatedAlias}).
 */

/**
 * Adds `old` (e.g. `--bootstrap <n>`) as a hidden alias of the option whose attribute is `now`
 * (e.g. `resamples`, spelled `nowFlag`): before the action runs, its value moves to `now` and a
 * one-line note on stderr gives the new spelling. Giving both is a usage error.
 */
export function deprecatedAlias(command: Command, old: string, now: string, nowFlag: string): Command {
  const option = new Option(old).hideHelp()
  const attribute = option.attributeName()
  command.addOption(option)
  command.hook('preAction', (_parent, action) => {
    if (action !== command) return
    const value: unknown = command.getOptionValue(attribute)
    if (value === undefined) return
    if (command.getOptionValueSource(now) === 'cli')
      throw new BenchError('BENCH_USAGE', `${option.long}: give ${nowFlag} alone (${option.long} is its old spelling)`)
    process.stderr.write(`bench: note: ${option.long} is now spelled ${nowFlag}; the old spelling still works but will go away.\n`)
    // The alias's parser (if any) is the new option's: run it on the raw value.
    const target = command.options.find((o) => o.attributeName() === now)
    const parse = target?.parseArg
    let parsed: unknown = value
    try {
      if (parse && typeof value === 'string') parsed = (parse as (v: string, previous: unknown) => unknown)(value, undefined)
    } catch (error) {
      // Name the flag as the user wrote it.
      if (error instanceof BenchError && error.message.startsWith(`${nowFlag}:`))
        throw new BenchError(error.code, `${option.long}${error.message.slice(nowFlag.length)}`)
      throw error
    }
    command.setOptionValueWithSource(now, parsed, 'cli')
    command.setOptionValue(attribute, undefined)
  })
  return command
}

/** Appends the `Examples:` section (one command per line) to a command's help. */
export function addExamples(command: Command, lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`)
}

/** A default as help shows it: plain text, never JSON-quoted (`md`, `0.05`, `1,10,100`). */
function plainDefault(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value)
}

/**
 * Help settings every command inherits (set on the program before commands are added): option
 * defaults print unquoted and uniformly as `(default: x)`.
 */
export const helpConfiguration: Partial<Help> = {
  optionDescription(option: Option): string {
    const extra: string[] = []
    if (option.argChoices) extra.push(`choices: ${option.argChoices.join(', ')}`)
    // As commander: a boolean's default is shown only when it is a boolean.
    const showDefault = option.required || option.optional || (option.isBoolean() && typeof option.defaultValue === 'boolean')
    if (option.defaultValue !== undefined && showDefault) extra.push(`default: ${option.defaultValueDescription ?? plainDefault(option.defaultValue)}`)
    if (option.envVar !== undefined) extra.push(`env: ${option.envVar}`)
    return extra.length > 0 ? `${option.description} (${extra.join(', ')})` : option.description
  },
}

import type { Command } from 'commander'
import { dirname, join } from 'node:path'
import { type MergedRun, mergeRuns } from '../../core/run/merge-runs.js'
import { newRunId } from '../../core/run/open-run.js'
import { resumeCommand } from '../../core/summary/resume-hint.js'
import { analyseRun, writeReports } from '../../reports/write-reports.js'
import { EXIT } from '../exit-codes.js'
import { addExamples } from '../option-vocabulary.js'

interface MergeFlags {
  out?: string
  reports: boolean
}

/** The stdout line: how many shards and cells, and which cells did not finish (by shard). */
function summaryLine(merged: MergedRun): string {
  const shards = `${merged.shards.length} shard${merged.shards.length === 1 ? '' : 's'}`
  if (merged.unfinished.length === 0) return `merged ${shards} (${merged.cells} cells) into ${merged.runDir}`
  const listed = (state: 'unfinished' | 'failed') => {
    const cells = merged.unfinished.filter((c) => c.state === state)
    return cells.length === 0 ? [] : [`${cells.length} ${state}: ${cells.map((c) => `${c.cellId} of shard ${c.shard.index}/${c.shard.count}`).join(', ')}`]
  }
  return `merged ${shards}: ${merged.finished} of ${merged.cells} cells finished (${[...listed('unfinished'), ...listed('failed')].join('; ')}) into ${merged.runDir}`
}

/**
 * The stderr account of cells a shard did not finish: each with its shard and error, then how to
 * finish them — resume each shard and merge again, or resume the merged run (it holds their
 * partial records, so both give the numbers of one uninterrupted run).
 */
function unfinishedSummary(merged: MergedRun): string {
  const lines = [`bench: ${merged.unfinished.length} of ${merged.cells} cells did not finish in their shard:`]
  for (const c of merged.unfinished) {
    const why = c.state === 'failed' ? `failed: ${(c.message ?? '').split('\n').join('\n    ')}` : 'unfinished (the shard was stopped, or is still running)'
    lines.push(`  ${c.cellId} (shard ${c.shard.index}/${c.shard.count}, ${c.shard.runDir}): ${why}`)
  }
  const shardDirs = [...new Set(merged.unfinished.map((c) => c.shard.runDir))]
  lines.push(
    'Finish them (finished cells are kept) in their shard, then merge again into a new --out:',
    ...shardDirs.map((dir) => `  ${resumeCommand(dir)}`),
    `or in the merged run: ${resumeCommand(merged.runDir)}`,
  )
  return lines.join('\n') + '\n'
}

/**
 * `bench merge <run-dir>…`: joins the runs of `bench run --shard i/n` into one run directory whose
 * journal and reports are those of one unsharded run, then writes its reports. Cells a shard did
 * not finish are merged as they are (resumable), named on stderr, and make it exit 4 as a run does.
 */
export function registerMerge(program: Command): void {
  const command = program
    .command('merge')
    .description('join the shard runs of `bench run --shard i/n` into one run (journal and reports as one unsharded run’s)')
    .argument('<run-dirs...>', 'the run directory of every shard, each once (any order)')
    .option('-o, --out <dir>', 'the merged run directory to create (default: a new run beside the first shard)')
    .option('--no-reports', 'do not write results.json, report.md and report.html')
  addExamples(command, ['bench merge .bench/runs/<shard-1> .bench/runs/<shard-2>', 'bench merge a/run b/run --out .bench/runs/merged']).action(
    async (runDirs: string[], flags: MergeFlags) => {
      const runId = newRunId()
      const merged = mergeRuns(runDirs, { outDir: flags.out ?? join(dirname(runDirs[0]!), runId), runId })
      for (const w of merged.warnings) process.stderr.write(`warning: ${w}\n`)
      process.stdout.write(`${summaryLine(merged)}\n`)
      if (flags.reports) for (const file of await writeReports(await analyseRun(merged.runDir))) process.stdout.write(`wrote ${file}\n`)
      if (merged.unfinished.length > 0) {
        process.stderr.write(unfinishedSummary(merged))
        process.exitCode = EXIT.cellsFailed
      }
    },
  )
}

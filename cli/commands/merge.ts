import type { Command } from 'commander'
import { dirname, join } from 'node:path'
import { mergeRuns } from '../../core/run/merge-runs.js'
import { newRunId } from '../../core/run/open-run.js'
import { analyseRun, writeReports } from '../../reports/write-reports.js'
import { addExamples } from '../option-vocabulary.js'

interface MergeFlags {
  out?: string
  reports: boolean
}

/**
 * `bench merge <run-dir>…`: joins the runs of `bench run --shard i/n` into one run directory whose
 * journal and reports are those of one unsharded run, then writes its reports.
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
      process.stdout.write(`merged ${merged.shards.length} shards (${merged.cells} cells) into ${merged.runDir}\n`)
      if (flags.reports) for (const file of await writeReports(await analyseRun(merged.runDir))) process.stdout.write(`wrote ${file}\n`)
    },
  )
}

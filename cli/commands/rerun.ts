import type { Command } from 'commander'
import { EXIT } from '../exit-codes.js'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readJournal } from '../../core/run/journal.js'
import { prepareRerun } from '../../core/run/rerun.js'
import { builtins } from '../builtins.js'
import { diffRunResults, type RunDiff } from '../../core/run/rerun-diff.js'
import { executeRun } from '../execute-run.js'
import { addExamples } from '../option-vocabulary.js'

interface RerunFlags {
  runsDir?: string
  cacheDir?: string
  allowMismatch?: boolean
  tui: boolean
  reports: boolean
}

/** The verdict lines `bench rerun` prints after the run. */
export function renderRerunVerdict(diff: RunDiff, recordedRunId: string): string {
  if (diff.identical) {
    const { failed, missing } = diff.unfinished
    const finished = diff.cells - failed - missing
    const rest = [failed > 0 ? `${failed} failed in both with the same error` : '', missing > 0 ? `${missing} finished in neither` : '']
      .filter(Boolean)
      .join(', ')
    return rest
      ? `rerun: identical — every metric of the ${finished} finished cells is bit-identical to run ${recordedRunId} (of ${diff.cells} cells: ${rest})\n`
      : `rerun: identical — every metric of all ${diff.cells} cells is bit-identical to run ${recordedRunId}\n`
  }
  // What the cells share (the base model's pretraining, a prepared verifier) is named before them.
  const shared = diff.differingShared.map((name) =>
    name === 'pretrain' ? 'the pretraining of the base model' : `the ${name.replace(/^prepare /, '')} preparation`,
  )
  const lines = [
    `rerun: DIFFERENT — ${shared.length > 0 ? `${shared.join(', ')} and ` : ''}${diff.differingCells.length} of ${diff.cells} cells differ from run ${recordedRunId} (${diff.total} difference(s); recorded → rerun):`,
  ]
  for (const d of diff.differences) lines.push(`  ${d}`)
  if (diff.total > diff.differences.length)
    lines.push(`  … and ${diff.total - diff.differences.length} more (rerun.json in the new run directory lists the first ones)`)
  return lines.join('\n') + '\n'
}

/**
 * `bench rerun <run-dir>`: reproduces a finished run from its record alone (run.json's provenance:
 * resolved config and plugin specs, the shard of a shard run, the backend `auto` chose), into a
 * new run directory, then says whether every number of every cell, and of what the cells share
 * (the pretraining records, the prepare records but their wall time: core/run/rerun-diff.ts), is
 * bit-identical to the recorded run. Exit 0 when identical, 1 when not, 2 when the record cannot be honoured (BENCH_RERUN_MISMATCH:
 * a plugin version or options, a data file's sha256 or the harness version differ, unless
 * --allow-mismatch; the journal is missing), the run is not finished (resume it first) or its
 * backend (the one `auto` chose, or the one it named) is not installed here, 130 when interrupted.
 */
export function registerRerun(program: Command): void {
  const command = program
    .command('rerun')
    .description('reproduce a finished run from its run.json record into a new run directory and check that every number is identical')
    .argument('<run-dir>', 'the run directory to reproduce (holds run.json and journal.jsonl)')
    .option('--runs-dir <dir>', 'where the new run directory goes (default: the folder holding <run-dir>)')
    .option('--cache-dir <dir>', 'cache for base models and verifiers (default: the recorded one)')
    .option('--allow-mismatch', 'rerun even when plugin versions, data files or the harness differ from the record')
    .option('--no-tui', 'plain progress lines instead of the live terminal UI')
    .option('--no-reports', 'do not write results.json, report.md and report.html into the new run directory')
    .addHelpText(
      'after',
      '\nA shard run (--shard i/n) reruns its own shard; a run that asked for --backend auto reruns on the backend it ran on. An unfinished run is refused: finish it with bench run --resume <run-dir> first.\n' +
        '\nExit status: 0 identical, 1 some number differs, 2 the record cannot be honoured (BENCH_RERUN_MISMATCH, an unfinished run, its backend not installed here), 4 identical but a cell failed, 130 interrupted.',
    )
  addExamples(command, ['bench rerun .bench/runs/<id>', 'bench rerun .bench/runs/<id> --allow-mismatch --no-tui']).action(
    async (runDir: string, flags: RerunFlags) => {
      const plan = await prepareRerun(runDir, { runsDir: flags.runsDir, cacheDir: flags.cacheDir, allowMismatch: flags.allowMismatch, builtins })
      for (const m of plan.mismatches) process.stderr.write(`warning: differs from the record (--allow-mismatch): ${m}\n`)
      for (const n of plan.notes) process.stdout.write(`note: ${n}\n`)
      const outcome = await executeRun(
        { config: plan.config, registry: plan.registry },
        {
          tui: flags.tui,
          reports: flags.reports,
          checkpoint: plan.recorded.provenance.checkpoint,
          trainedCheckpoint: plan.recorded.provenance.trainedCheckpoint,
          // A shard run's rerun runs that shard's cells, as the record planned them.
          ...(plan.shard ? { shard: plan.shard } : {}),
        },
      )
      if (outcome.interrupted) return
      const fresh = readJournal(join(outcome.runDir, 'journal.jsonl')).records
      const diff = diffRunResults(
        plan.journal,
        fresh,
        plan.recorded.cells.map((c) => c.cellId),
      )
      writeFileSync(
        join(outcome.runDir, 'rerun.json'),
        JSON.stringify({ of: { runId: plan.recorded.runId, runDir: plan.runDir }, ...diff, mismatches: plan.mismatches, notes: plan.notes }, null, 2) + '\n',
      )
      process.stdout.write(renderRerunVerdict(diff, plan.recorded.runId))
      if (!diff.identical) process.exitCode = EXIT.checkFailed
    },
  )
}

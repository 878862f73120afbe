import type { Command } from 'commander'
import { registerEnv } from './env.js'
import { registerList } from './list.js'
import { registerEval } from './eval.js'
import { registerRun } from './run.js'
import { registerReport } from './report.js'
import { registerCompare } from './compare.js'
import { registerScore } from './score.js'
import { registerVerify } from './verify.js'
import { registerFindings } from './findings.js'
import { registerRerun } from './rerun.js'

/** A CLI command module: adds one command (with its --help) to the program. */
export type RegisterCommand = (program: Command) => void

// One line per command; each module lives beside this file and is named after its command.
export const commands: RegisterCommand[] = [registerRun, registerEval, registerList, registerEnv, registerReport, registerRerun, registerCompare, registerScore, registerVerify, registerFindings]

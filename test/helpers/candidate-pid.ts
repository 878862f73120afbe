import { existsSync, readFileSync } from 'node:fs'

/** Running, per /proc (a killed process that lingers as a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

/**
 * The pid a candidate wrote to `file`, once it is there: polls the file system until the file holds
 * a number (a writer creates the file empty before it writes), asserting nothing about time.
 */
export async function candidatePid(file: string): Promise<number> {
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
    if (/^\d+$/.test(text.trim())) return Number(text)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * A fresh sibling folder name of `dir` for one writer (`<dir>.tmp-<pid>-<random>`): a writer fills
 * it, then {@link publishDir} moves it into place, so no reader ever sees a half-written folder and
 * two writers (two processes, or a queue job run again while its first try still runs) never write
 * into the same files.
 */
export function privateTempDir(dir: string): string {
  return `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
}

/** What {@link publishDir} does when `dir` already exists. */
export type PublishMode =
  /** A cache entry (content-addressed): a complete one already there is kept and `from` is discarded. */
  | { keepExisting: true; isComplete: (dir: string) => boolean }
  /** A checkpoint: `from` replaces what is there (a leftover of a killed writer, or the same weights). */
  | { keepExisting: false }

/**
 * Moves the finished folder `from` into `dir` by rename (atomic on one file system): readers see
 * the old folder or the new one, never a partial one. Returns true when `from` became `dir`, false
 * when a complete `dir` was kept (keepExisting: another writer got there first; `from` is removed).
 */
export function publishDir(from: string, dir: string, mode: PublishMode): boolean {
  mkdirSync(dirname(dir), { recursive: true })
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(from, dir)
      return true
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt >= 5) throw error
    }
    // `dir` exists and is not empty.
    if (mode.keepExisting && mode.isComplete(dir)) {
      rmSync(from, { recursive: true, force: true })
      return false
    }
    // Replace it: move it aside first (another writer may do the same at once: then it is gone already).
    const aside = `${dir}.old-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      renameSync(dir, aside)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    if (existsSync(aside)) rmSync(aside, { recursive: true, force: true })
  }
}

/**
 * Writes `text` to `file` through a private sibling (`<file>.tmp-<pid>-<random>`) and a rename:
 * a reader sees the old file or the new one, never a partial one, and two writers never share the
 * temporary file.
 */
export function publishFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = privateTempDir(file)
  writeFileSync(tmp, text)
  renameSync(tmp, file)
}

import { execa } from 'execa'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './cli-helper.js'

// bonbench installed as its users get it, for e2e tests of third-party projects: the `npm pack`
// tarball unpacked where `npm install <tarball>` puts it, and each package of the repository's
// node_modules linked beside it instead of installed from the registry (there is none offline) —
// except bonbench's devDependencies (but TypeScript and @types/node, which a TypeScript consumer
// has), so a type the package forgot to depend on fails. test/e2e/npm-pack.test.ts does the same.

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> }

/** The repository's bonbench version. */
export const bonbenchVersion = manifest.version

/** Packages a TypeScript consumer installs itself beside bonbench. */
const consumerHas = new Set(['typescript', '@types/node'])
const notInstalled = new Set(Object.keys(manifest.devDependencies).filter((name) => !consumerHas.has(name)))

/** The tarball `npm pack` made of the repository, and the paths it holds (npm's `files` list). */
export interface PackedBonbench {
  tarball: string
  files: string[]
}

let packed: Promise<PackedBonbench> | undefined

/**
 * `npm pack --ignore-scripts` of the repository (it packs the dist/ that `npm run build` made,
 * without rebuilding: a rebuild empties dist/, which other test files read), once per build for
 * all test files: the tarball is kept in the system's temporary folder under a key of the build
 * stamp and of what else npm packs (package.json, README, LICENSE, bin/, docs/: names, sizes and
 * modification times). Test files run in processes of their own, possibly at once: one packs
 * while holding a lock folder (mkdir), the others wait for its result; the result appears by one
 * rename of a finished folder, so no reader sees half a tarball. Read it, never write to it.
 */
export function packBonbench(): Promise<PackedBonbench> {
  packed ??= packOnce()
  return packed
}

const PACKED_PREFIX = 'bonbench-test-pack-'

async function packOnce(): Promise<PackedBonbench> {
  if (!existsSync(join(repoRoot, 'dist', 'core', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm ci runs it)')
  const root = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)
  const cache = join(tmpdir(), `${PACKED_PREFIX}${root}-${packKey()}`)
  const lock = `${cache}.lock`
  const done = (): PackedBonbench | undefined => {
    if (!existsSync(join(cache, 'packed.json'))) return undefined
    const { filename, files } = JSON.parse(readFileSync(join(cache, 'packed.json'), 'utf8')) as { filename: string; files: string[] }
    return { tarball: join(cache, filename), files }
  }
  let mine = false
  for (;;) {
    const ready = done()
    if (ready) return ready
    try {
      mkdirSync(lock)
      mine = true
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    // Another file packs this build. A lock older than two minutes is one a killed run left.
    const since = lockAge(lock)
    if (since !== undefined && since > 120_000) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const staging = mkdtempSync(join(tmpdir(), `${PACKED_PREFIX}staging-`))
  try {
    const result = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', staging], { cwd: repoRoot })
    const [info] = JSON.parse(result.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
    writeFileSync(join(staging, 'packed.json'), JSON.stringify({ filename: info!.filename, files: info!.files.map((f) => f.path) }))
    try {
      renameSync(staging, cache)
    } catch (error) {
      // Another file's finished folder is already there (it packed the same build).
      if (!['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error
      rmSync(staging, { recursive: true, force: true })
    }
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true })
    if (mine) rmSync(lock, { recursive: true, force: true })
  }
  removeOlderPacks(root, cache)
  return done()!
}

/** How long ago the lock folder was made, or undefined once it is gone. */
function lockAge(lock: string): number | undefined {
  try {
    return Date.now() - statSync(lock).mtimeMs
  } catch {
    return undefined
  }
}

/** A digest of what `npm pack` puts in the tarball: the build stamp, and the names, sizes and times of the files beside dist/. */
function packKey(): string {
  const hash = createHash('sha256').update(readFileSync(join(repoRoot, 'dist', 'build-stamp.json')))
  const listed = (dir: string, match: (name: string) => boolean): string[] =>
    existsSync(join(repoRoot, dir))
      ? readdirSync(join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
          .filter(match)
          .map((name) => join(dir, name))
      : []
  const paths = [
    'package.json',
    'README.md',
    'LICENSE',
    ...listed('bin', (name) => name.endsWith('.js')),
    ...listed('docs', (name) => name.endsWith('.md')),
    ...listed(join('docs', 'examples'), () => true),
  ].sort()
  for (const path of paths) {
    const stat = existsSync(join(repoRoot, path)) ? statSync(join(repoRoot, path)) : undefined
    hash.update(`${path}\0${stat?.size ?? '-'}\0${stat?.mtimeMs ?? '-'}\n`)
  }
  return hash.digest('hex').slice(0, 16)
}

/** Removes this checkout's tarballs of earlier builds (left more than ten minutes ago), so they do not pile up. */
function removeOlderPacks(root: string, keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name)
    if (!name.startsWith(`${PACKED_PREFIX}${root}-`) || path === keep || path === `${keep}.lock`) continue
    if ((lockAge(path) ?? 0) > 600_000) rmSync(path, { recursive: true, force: true })
  }
}

/**
 * Installs the tarball into `project`/node_modules/bonbench and links bonbench's dependencies,
 * TypeScript and @types/node beside it, with `node_modules/.bin/tsc` and `.bin/bench` as npm
 * makes them.
 */
export async function installTarball(tarball: string, project: string): Promise<void> {
  const modules = join(project, 'node_modules')
  const installed = join(modules, 'bonbench')
  mkdirSync(installed, { recursive: true })
  // npm's tarballs hold one folder, package/.
  await execa('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'])
  linkPackages(join(repoRoot, 'node_modules'), modules, notInstalled)
  mkdirSync(join(modules, '.bin'), { recursive: true })
  symlinkSync('../typescript/bin/tsc', join(modules, '.bin', 'tsc'))
  symlinkSync('../bonbench/bin/bench.js', join(modules, '.bin', 'bench'))
}

/**
 * Installs a plugin package's development dependencies as `npm install` would: bonbench (the
 * peer dependency) linked to `bonbench`'s installed folder, TypeScript and @types/node from the
 * repository, and `node_modules/.bin/tsc`.
 */
export function installPluginDevDependencies(pluginDir: string, bonbench: string): void {
  const modules = join(pluginDir, 'node_modules')
  mkdirSync(join(modules, '@types'), { recursive: true })
  mkdirSync(join(modules, '.bin'))
  symlinkSync(bonbench, join(modules, 'bonbench'), 'dir')
  symlinkSync(join(repoRoot, 'node_modules', 'typescript'), join(modules, 'typescript'), 'dir')
  symlinkSync(join(repoRoot, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'), 'dir')
  symlinkSync('../typescript/bin/tsc', join(modules, '.bin', 'tsc'))
}

/** Links `from/<entry>` into `to/` for each package (scoped ones one by one), skipping `skip` and bonbench itself. */
function linkPackages(from: string, to: string, skip: ReadonlySet<string>): void {
  for (const entry of readdirSync(from)) {
    if (entry.startsWith('.') || entry === 'bonbench') continue
    if (entry.startsWith('@')) {
      mkdirSync(join(to, entry), { recursive: true })
      for (const inner of readdirSync(join(from, entry))) {
        if (!skip.has(`${entry}/${inner}`)) symlinkSync(join(from, entry, inner), join(to, entry, inner), 'dir')
      }
    } else if (!skip.has(entry)) {
      symlinkSync(join(from, entry), join(to, entry), 'dir')
    }
  }
}

import { execa } from 'execa'
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
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

/**
 * `npm pack --ignore-scripts` into `destination` (it packs the dist/ that `npm run build` made,
 * without rebuilding: a rebuild empties dist/, which other test files read); returns the tarball.
 */
export async function packBonbench(destination: string): Promise<string> {
  if (!existsSync(join(repoRoot, 'dist', 'core', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm ci runs it)')
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: repoRoot })
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>
  return join(destination, info!.filename)
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
export function linkPackages(from: string, to: string, skip: ReadonlySet<string>): void {
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

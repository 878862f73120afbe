import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { readManifest } from './manifest.js'

/**
 * The newest run under `runsDir` that was started from the config file `configFile` (its run.json
 * records the same absolute path), or undefined when there is none. Lets `bench run --config F
 * --resume` (no run directory) continue the run of F, again and again until it is finished.
 */
export function findResumableRun(runsDir: string, configFile: string): string | undefined {
  if (!existsSync(runsDir)) return undefined
  const wanted = resolve(configFile)
  let best: { dir: string; createdAt: string } | undefined
  for (const name of readdirSync(runsDir)) {
    const dir = join(runsDir, name)
    if (!existsSync(join(dir, 'run.json'))) continue
    try {
      const manifest = readManifest(dir)
      const file = manifest.provenance.config.configFile
      if (typeof file !== 'string' || resolve(file) !== wanted) continue
      if (!best || manifest.createdAt > best.createdAt) best = { dir, createdAt: manifest.createdAt }
    } catch {
      // Not a readable run directory: not a candidate.
    }
  }
  return best?.dir
}

import { build, type Plugin } from 'esbuild'

/**
 * Bundles the TypeScript module `entry` into one ES module `outfile` for plain Node (esbuild, which
 * tsx compiles with), its packages left as imports: a test's children then start as plain Node,
 * without tsx's loader hooks on each of their modules (e2e/tui-pty, unit/run/journal-kill-and-compare).
 */
export async function bundleForNode(entry: string, outfile: string, plugins: Plugin[] = []): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    plugins,
  })
}

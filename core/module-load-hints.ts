import { nearestPackageType } from './import-module.js'

const CJS_SIGNS =
  /ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE|Cannot use import statement outside a module|require is not defined in ES module scope|exports is not defined in ES module scope|Unexpected token 'export'|ERR_PACKAGE_PATH_NOT_EXPORTED|top-level await/i

/**
 * A sentence that tells what to do about a config or plugin module that failed to import, for the
 * two mistakes a newcomer makes: `bonbench` not installed where the module is (its imports resolve
 * from its own folder, not from the `bench` that runs it), and ES module syntax in a CommonJS
 * package (`"type": "commonjs"` or no type). Empty when neither applies.
 */
export function moduleLoadHint(file: string, error: unknown): string {
  const message = error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` : String(error)
  if (/MODULE_NOT_FOUND|Cannot find (package|module)/.test(message) && /['"]bonbench(\/[\w-]+)?['"]/.test(message)) {
    return ` bonbench is not installed where ${file} can import it (imports resolve from the file's own folder). Install it there from a bonbench checkout or its npm pack tarball (npm i -D <path to it>: bonbench is not on the npm registry)`
  }
  const type = nearestPackageType(file)
  if (type !== 'module' && /\.(ts|js)$/.test(file) && CJS_SIGNS.test(message)) {
    return ` ${file} is in a CommonJS package (package.json has ${type === undefined ? 'no "type"' : `"type": "${type}"`}), where it is loaded as CommonJS. Rename it to .mjs (or .mts), or add "type": "module" to package.json.`
  }
  return ''
}

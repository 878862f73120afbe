import { createReadStream } from 'node:fs'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'

/** True for an error of node:zlib (a corrupt or truncated gzip stream): its code is Z_DATA_ERROR, Z_BUF_ERROR, … */
export function isZlibError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return error instanceof Error && typeof code === 'string' && code.startsWith('Z_')
}

/**
 * The zlib error of decompressing the whole gzip `file`, read through to its end, or undefined
 * when it decompresses whole (or cannot be read): what a reader asks once its own read of a gzip
 * file failed, to say whether the file is truncated or corrupt.
 */
export async function gunzipFailure(file: string): Promise<NodeJS.ErrnoException | undefined> {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() })
  try {
    await pipeline(createReadStream(file), createGunzip(), discard)
    return undefined
  } catch (error) {
    return isZlibError(error) ? error : undefined
  }
}

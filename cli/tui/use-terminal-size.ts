import { useEffect, useState } from 'react'
import { useStdout } from 'ink'

/**
 * The terminal size the UI lays out for: `override` when given (tests at fixed widths), else the
 * stream's columns and rows, updated on resize. Falls back to 80 × 24 when the stream has none.
 */
export function useTerminalSize(override?: { columns?: number; rows?: number }): { columns: number; rows: number } {
  const { stdout } = useStdout()
  const read = () => ({
    columns: override?.columns ?? (stdout.columns || 80),
    rows: override?.rows ?? (stdout.rows || 24),
  })
  const [size, setSize] = useState(read)
  useEffect(() => {
    const onResize = () => setSize(read())
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout])
  return override?.columns !== undefined || override?.rows !== undefined ? read() : size
}

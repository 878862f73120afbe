// A tiny terminal for the UI tests: it applies what ink writes — text, newlines, cursor up/down,
// column moves, line and screen erases — to a grid of lines, so a test reads the screen a person
// would see (what a later frame drew over is gone), not the raw stream.

/** A screen of unbounded height that a raw output stream is played onto. */
export class Screen {
  private lines: string[][] = [[]]
  private row = 0
  private col = 0

  constructor(private readonly columns = 200) {}

  /** Plays `data` onto the screen (a pty's onlcr: '\n' also returns to column 0). */
  write(data: string): void {
    // eslint-disable-next-line no-control-regex
    const tokens = data.match(/\u001B\[[0-9;?:]*[ -/]*[@-~]|\u001B[^[]|[^\u001B]/gu) ?? []
    for (const token of tokens) {
      if (token === '\n') this.moveTo(this.row + 1, 0)
      else if (token === '\r') this.col = 0
      else if (token.startsWith('\u001B[')) this.csi(token)
      else if (!token.startsWith('\u001B')) this.put(token)
    }
  }

  /** The screen's text, trailing blanks trimmed. */
  text(): string {
    return this.lines
      .map((l) => l.join('').replace(/\s+$/, ''))
      .join('\n')
      .replace(/\s+$/, '')
  }

  private csi(token: string): void {
    const final = token.at(-1)!
    const params = token.slice(2, -1)
    if (params.startsWith('?')) return
    const n = params === '' ? 1 : Number(params.split(';')[0])
    if (final === 'A') this.moveTo(Math.max(0, this.row - n), this.col)
    else if (final === 'B') this.moveTo(this.row + n, this.col)
    else if (final === 'G') this.col = Math.max(0, n - 1)
    else if (final === 'K') {
      const line = this.line()
      if (params === '2') line.length = 0
      else if (params === '' || params === '0') line.length = Math.min(line.length, this.col)
    } else if (final === 'J' && (params === '2' || params === '3')) {
      this.lines = [[]]
      this.row = 0
      this.col = 0
    } else if (final === 'H') {
      this.row = 0
      this.col = 0
    }
  }

  private put(char: string): void {
    if (this.col >= this.columns) this.moveTo(this.row + 1, 0)
    const line = this.line()
    while (line.length < this.col) line.push(' ')
    line[this.col++] = char
  }

  private moveTo(row: number, col: number): void {
    this.row = row
    this.col = col
    while (this.lines.length <= row) this.lines.push([])
  }

  private line(): string[] {
    return this.lines[this.row]!
  }
}

/** Ids of the special tokens; every tokenizer reserves the first four ids for them. */
export const PAD = 0
export const BOS = 1
export const EOS = 2
export const UNK = 3
const SPECIALS = ['<pad>', '<bos>', '<eos>', '<unk>']
/** What an unknown character decodes to. */
const UNK_TEXT = '\uFFFD'

/** The serialised form written to tokenizer.json. */
export interface TokenizerJson {
  kind: 'char'
  specials: string[]
  chars: string[]
}

/**
 * A character-level tokenizer: ids 0–3 are PAD, BOS, EOS, UNK, then every distinct character
 * (code point) of the corpus in code-point order, so the same corpus always gives the same ids.
 * Each token decodes to exactly one character (UNK to U+FFFD), which stop-string handling relies on.
 */
export class CharTokenizer {
  readonly chars: string[]
  readonly #ids: Map<string, number>

  constructor(chars: string[]) {
    this.chars = chars
    this.#ids = new Map(chars.map((c, i) => [c, i + SPECIALS.length]))
  }

  /** Builds the vocabulary from every character of `corpus`. */
  static fromCorpus(corpus: string): CharTokenizer {
    const set = new Set(Array.from(corpus))
    return new CharTokenizer([...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!))
  }

  /** Restores a tokenizer written by `toJSON`. */
  static fromJSON(json: TokenizerJson): CharTokenizer {
    return new CharTokenizer(json.chars)
  }

  /** Number of ids, specials included. */
  get size(): number {
    return this.chars.length + SPECIALS.length
  }

  /** Text → ids, no BOS/EOS added; characters outside the vocabulary become UNK. */
  encode(text: string): number[] {
    return Array.from(text, (c) => this.#ids.get(c) ?? UNK)
  }

  /** Ids → text; PAD, BOS and EOS decode to nothing, UNK to U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    let out = ''
    for (let i = 0; i < ids.length; i++) out += this.tokenText(ids[i]!)
    return out
  }

  /** The text of one id. */
  tokenText(id: number): string {
    if (id === UNK) return UNK_TEXT
    if (id < SPECIALS.length) return ''
    return this.chars[id - SPECIALS.length] ?? UNK_TEXT
  }

  toJSON(): TokenizerJson {
    return { kind: 'char', specials: SPECIALS, chars: this.chars }
  }
}

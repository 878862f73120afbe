import { randomUUID } from 'node:crypto'
import { finish, type SampledChoice, usageOf } from './openai-answers.js'

/**
 * The server-sent events of one streamed answer, made as its text is decoded, in OpenAI's shape
 * (`text_completion` or `chat.completion.chunk` chunks, one choice per chunk). `text` is called
 * with each piece a choice gains while the batch is sampled (the model's `onToken` events); `end`,
 * once sampling finished, sends what each choice's text still lacks (all of it when the model
 * reported nothing, or the rest it held back), then each choice's finish reason, the usage when
 * asked, and `[DONE]`. A chat choice's first chunk carries `role: 'assistant'`.
 */
export class StreamChunks {
  readonly #id: string
  readonly #created = Math.floor(Date.now() / 1000)
  readonly #object: string
  /** Text sent so far per choice (undefined: nothing, not even the role chunk). */
  readonly #sent = new Map<number, string>()

  constructor(
    private readonly kind: 'completion' | 'chat',
    private readonly model: string,
  ) {
    this.#id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`
    this.#object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion'
  }

  /** The events for `piece`, the next text of choice `index`. */
  text(index: number, piece: string): string {
    return this.#open(index) + this.#piece(index, piece)
  }

  /**
   * The closing events. A choice whose final text does not begin with what was sent (a model that
   * broke the `onToken` contract) gets no more text: what was sent cannot be taken back.
   */
  end(choices: SampledChoice[], prompts: string[], includeUsage: boolean): string {
    let out = ''
    for (const [index, choice] of choices.entries()) {
      out += this.#open(index)
      const sent = this.#sent.get(index)!
      const text = choice.completion.text
      if (text.length > sent.length && text.startsWith(sent)) out += this.#piece(index, text.slice(sent.length))
      out += this.#event(
        this.kind === 'chat' ? { index, delta: {}, logprobs: null, ...finish(choice) } : { index, text: '', logprobs: null, ...finish(choice) },
      )
    }
    if (includeUsage) out += this.#event(null, usageOf(choices, prompts))
    return out + 'data: [DONE]\n\n'
  }

  #open(index: number): string {
    if (this.#sent.has(index)) return ''
    this.#sent.set(index, '')
    return this.kind === 'chat' ? this.#event({ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }) : ''
  }

  #piece(index: number, piece: string): string {
    this.#sent.set(index, this.#sent.get(index)! + piece)
    return this.#event(
      this.kind === 'chat'
        ? { index, delta: { content: piece }, logprobs: null, finish_reason: null }
        : { index, text: piece, logprobs: null, finish_reason: null },
    )
  }

  #event(choice: Record<string, unknown> | null, usage?: unknown): string {
    const body = { id: this.#id, object: this.#object, created: this.#created, model: this.model, choices: choice ? [choice] : [], ...(usage ? { usage } : {}) }
    return `data: ${JSON.stringify(body)}\n\n`
  }
}

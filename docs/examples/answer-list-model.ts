// A sampling-only model: each completion is one of a fixed list of answers, drawn from the
// request's seed. No `update`, so bonbench evaluates it (the base cell) but cannot train it.
import { createRng, defineModel, z, type Completion, type SampleRequest } from 'bonbench'

export const answerListModel = defineModel({
  name: 'my-lab/answer-list',
  meta: { version: '1.0.0', apiVersion: '^0.1.0', description: 'Draws one of a fixed list of answers' },
  options: z.strictObject({
    answers: z.array(z.string().min(2)).min(2).default(['yes', 'no', 'maybe']).describe('The completions it draws from'),
  }),
  create: ({ answers }) => {
    const logProb = -Math.log(answers.length)
    // Temperature 0 is greedy: always the first answer. A stop string ends the text before it;
    // maxTokens (one token per character) cuts it ('length'); else the whole answer ends ('eos').
    const complete = (request: SampleRequest, pick: number): Completion => {
      const whole = answers[request.temperature === 0 ? 0 : pick]!
      const answer = whole.slice(0, request.maxTokens ?? 16)
      const cut = Math.min(...(request.stop ?? []).map((s) => answer.indexOf(s)).filter((i) => i >= 0), answer.length)
      const text = answer.slice(0, cut)
      const finishReason = cut < answer.length ? 'stop' : answer.length < whole.length ? 'length' : 'eos'
      return { text, tokens: [...text].map((c) => c.codePointAt(0)!), logProb, finishReason }
    }
    return {
      async create() {
        return {
          async sample(requests, opts) {
            opts?.signal?.throwIfAborted()
            return requests.map((request) => {
              const rng = createRng(request.seed)
              return { promptId: request.promptId, completions: Array.from({ length: request.n }, () => complete(request, rng.int(answers.length))) }
            })
          },
          describe: () => ({ parameters: 0, backend: 'js', device: 'cpu' }),
        }
      },
    }
  },
})

export default answerListModel

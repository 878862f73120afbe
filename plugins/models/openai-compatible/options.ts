import { z } from 'bonbench'

/**
 * Options of the openai-compatible model: where the server is, which model it serves, and how
 * requests are sent. The API key is never an option (options are recorded in run.json): only the
 * name of the environment variable that holds it.
 */
export const openAiCompatibleOptionsSchema = z.strictObject({
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .refine((u) => new URL(u).username === '' && new URL(u).password === '', 'no credentials in the URL: put the key in the variable apiKeyEnv names')
    .default('http://127.0.0.1:8000/v1')
    .describe('The server’s API root, ending in /v1 (vLLM, llama.cpp’s server, Ollama, `bench serve`, a hosted API); `--base-url` on the command line.'),
  model: z.string().min(1).optional().describe('The model name the server knows (`GET /v1/models`); by default the first model the server lists.'),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
    .default('OPENAI_API_KEY')
    .describe(
      'Name of the environment variable holding the API key (the key itself is never written to results, logs or reports). Unset: a placeholder key is sent, which local servers accept.',
    ),
  endpoint: z
    .enum(['completions', 'chat'])
    .default('completions')
    .describe('`completions` sends the prompt as is (base models); `chat` sends it as one user message (instruction-tuned models).'),
  topP: z.number().gt(0).max(1).optional().describe('Nucleus sampling `top_p` when the task does not set one.'),
  maxTokens: z.int().min(1).optional().describe('Most tokens per completion when the task does not set a limit.'),
  stop: z.array(z.string().min(1)).optional().describe('Stop strings when the task gives none.'),
  logprobs: z
    .boolean()
    .default(false)
    .describe('Ask for per-token log-probabilities (where the server offers them): each completion then has its token count and log-probability.'),
  concurrency: z.int().min(1).max(256).default(4).describe('Most HTTP requests in flight at once.'),
  maxRetries: z
    .int()
    .min(0)
    .max(20)
    .default(4)
    .describe('Retries on 408, 409, 429, 5xx, timeouts and dropped connections, with exponential backoff and jitter, honouring Retry-After.'),
  timeoutMs: z.int().min(1).default(600_000).describe('Per-request timeout in milliseconds (a timed-out request is retried).'),
  cache: z
    .boolean()
    .default(true)
    .describe('Keep each answer under the run’s cache folder, keyed by a hash of (model, request), so a rerun or --resume does not pay twice.'),
})

/** Options as written by the user. */
export type OpenAiCompatibleOptions = z.input<typeof openAiCompatibleOptionsSchema>
/** Options with defaults applied. */
export type ResolvedOpenAiCompatibleOptions = z.output<typeof openAiCompatibleOptionsSchema>

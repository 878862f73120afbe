import { defineModel } from 'bonbench'
import { openAiCompatibleOptionsSchema } from './options.js'

export type { OpenAiCompatibleOptions } from './options.js'
export { ModelApiError, type ModelApiFailure } from './model-api-error.js'

// The openai client is loaded on first create, not when the plugin list is imported.
const runtime = async () => {
  const [{ apiClient }, { servedModel }, { createApiInstance }] = await Promise.all([
    import('./api-client.js'),
    import('./served-model.js'),
    import('./instance.js'),
  ])
  return { apiClient, servedModel, createApiInstance }
}

/**
 * `bonbench:openai-compatible`: a model behind an OpenAI-compatible HTTP API (vLLM, llama.cpp's
 * server, Ollama, a hosted API, `bench serve`), sampled through the official `openai` client.
 * Evaluation only: it has no update, clone or save, so `bench run` evaluates it as the base model
 * (no `--strategies`). `create` checks the server and the model name (named ModelApiError
 * otherwise); answers are cached under `ctx.cacheDir` by a hash of (model, request).
 */
export const openAiCompatible = defineModel({
  name: 'bonbench:openai-compatible',
  meta: {
    version: '0.1.0',
    description: 'a model served over the OpenAI HTTP API (chat or completions), evaluation only',
    // Where the server is and how it is reached: a resume against a server that moved (--base-url) runs the same cells.
    neutralOptions: ['baseUrl', 'apiKeyEnv', 'concurrency', 'maxRetries', 'timeoutMs', 'cache'],
  },
  options: openAiCompatibleOptionsSchema,
  create: (resolved) => ({
    usesBackend: false,
    async create(ctx) {
      const { apiClient, servedModel, createApiInstance } = await runtime()
      const client = apiClient(resolved)
      const model = await servedModel(client, resolved, ctx.signal)
      return createApiInstance({ client, model, options: resolved, cacheDir: ctx.cacheDir })
    },
  }),
})

import type { Command } from 'commander'
import path from 'node:path'
import type { ModelPlugin } from '../../core/plugin-api/model.js'
import { BenchError } from '../../core/errors.js'
import { RunLifecycle, describeDisposeFailure } from '../../core/run/plugin-lifecycle.js'
import { BACKEND_NAMES, type BackendName } from '../../core/backend/backend-catalog.js'
import { commandRegistry } from '../command-registry.js'
import { addExamples } from '../option-vocabulary.js'
import { choiceFlag, integerAtLeast, numberFlag, type NumberRule } from '../parse-list.js'
import { onStopSignal } from '../stop-signals.js'
import { DEFAULT_DRAIN_MS, DEFAULT_MAX_COMPLETIONS, createOpenAiServer } from '../serve/openai-server.js'
import { resolveCheckpoint } from '../serve/resolve-checkpoint.js'
import { defaultServedModelName } from '../serve/served-model-name.js'

interface ServeFlags {
  model: string
  host: string
  port: number
  servedModelName?: string
  maxBody: number
  maxCompletions: number
  apiKeyEnv?: string
  concurrency?: number
  backend?: BackendName
  config?: string
}

/** A TCP port: checked with the flags, so a bad one is refused before the model loads. */
const tcpPort: NumberRule = { range: 'an integer in [0, 65535]', test: (n) => Number.isInteger(n) && n >= 0 && n <= 65_535 }

/**
 * `bench serve <checkpoint | run-dir/cell>`: a saved model as an OpenAI-compatible HTTP server
 * (loopback by default) until SIGINT or SIGTERM, which stop it cleanly: no new connections,
 * requests in flight answered (within 30 s; requests still sending their body are dropped), the
 * model disposed, exit 0.
 */
export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('serve a saved model over the OpenAI HTTP API (/v1/models, /v1/completions, /v1/chat/completions) on loopback')
    .argument('<checkpoint>', 'a checkpoint folder (e.g. <run-dir>/checkpoints/<cell>) or <run-dir>/<cell>')
    .option('-m, --model <name>', 'model plugin that wrote the checkpoint', 'tiny-transformer')
    .option('--host <address>', 'address to listen on (other than loopback, anyone who reaches it can sample)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port, printed at start)', numberFlag('--port', tcpPort, 'the port'), 8000)
    .option(
      '--served-model-name <name>',
      "the model name /v1/models lists and requests ask for (default: the --model name and the checkpoint's hash, e.g. tiny-transformer@3f2a…; clients' request caches key answers by it, so give each checkpoint its own)",
    )
    .option('--max-body <bytes>', 'largest request body; larger ones get 413', numberFlag('--max-body', integerAtLeast(1), 'the size'), 1_048_576)
    .option(
      '--max-completions <k>',
      'most completions one request may ask for, n × its prompts (400 above)',
      numberFlag('--max-completions', integerAtLeast(1), 'the limit'),
      DEFAULT_MAX_COMPLETIONS,
    )
    .option('--api-key-env <name>', 'require the key held by this environment variable as a Bearer token (401 otherwise)')
    .option('--concurrency <n>', 'sampling worker threads (default: the core count)', numberFlag('--concurrency', integerAtLeast(1), 'the concurrency'))
    .option('--backend <name>', `TensorFlow.js backend: ${BACKEND_NAMES.join(', ')} (default: auto)`, choiceFlag('--backend', BACKEND_NAMES))
    .option('-c, --config <file>', 'config file whose plugins list third-party models (default: bench.config.* in the working directory)')
  addExamples(command, [
    'bench serve .bench/runs/<id>/checkpoints/bon-rl-n4-t1-s0 --port 8000',
    'bench serve .bench/runs/<id>/bon-rl-n4-t1-s0 --port 0',
    'bench run math --model openai-compatible --base-url http://127.0.0.1:8000/v1',
  ]).action(async (target: string, f: ServeFlags) => {
    const dir = resolveCheckpoint(target, process.cwd())
    const plugin = await (await commandRegistry('serve', { configPath: f.config })).get('model', f.model)
    if (!plugin.load) throw new BenchError('BENCH_USAGE', `bench serve: the model ${plugin.name} cannot load a checkpoint (it has no load()).`)
    let apiKey: string | undefined
    if (f.apiKeyEnv !== undefined) {
      apiKey = process.env[f.apiKeyEnv]
      if (!apiKey)
        throw new BenchError('BENCH_USAGE', `--api-key-env ${f.apiKeyEnv}: that environment variable is not set; set it to the key clients must send.`)
    }
    // The same plugin lifecycle as a run: set up before use, disposed on every path.
    const lifecycle = new RunLifecycle({ cacheDir: path.resolve('.bench/cache'), log: (m) => process.stderr.write(`bench serve: ${m}\n`) })
    try {
      await lifecycle.setup(plugin)
      await serveModel(plugin, dir, f, apiKey, lifecycle)
    } finally {
      for (const failure of await lifecycle.disposeAll()) process.stderr.write(`bench serve: warning: ${describeDisposeFailure(failure)}\n`)
    }
  })
}

/** Loads the checkpoint and serves it until a stop signal; `lifecycle` owns the model instance, so it is disposed on every path. */
async function serveModel(plugin: ModelPlugin, dir: string, f: ServeFlags, apiKey: string | undefined, lifecycle: RunLifecycle): Promise<void> {
  const { availableParallelism } = await import('node:os')
  const model = lifecycle.own(
    await plugin.load!(dir, { seed: 0, concurrency: f.concurrency ?? availableParallelism(), backend: f.backend }),
    `the served model of '${plugin.name}'`,
  )
  // Named after the weights and the backend: a client's request cache keys answers by the model
  // name, so two checkpoints (or backends) served in turn under one name would answer each other's
  // requests from it.
  const modelName = f.servedModelName ?? (await defaultServedModelName(f.model, model, dir, { usesBackend: plugin.usesBackend }))
  const served = createOpenAiServer({
    model,
    modelName,
    maxBodyBytes: f.maxBody,
    maxCompletions: f.maxCompletions,
    apiKey,
    drainTimeoutMs: DEFAULT_DRAIN_MS,
    log: (line) => process.stderr.write(`bench serve: ${line}\n`),
  })
  let url: string
  try {
    url = await served.listen(f.port, f.host)
  } catch (error) {
    throw new BenchError('BENCH_USAGE', `bench serve: cannot listen on ${f.host}:${f.port} (${(error as Error).message}); choose another --port.`, {
      cause: error,
    })
  }
  process.stdout.write(`bench serve: ${modelName} from ${dir} at ${url}\n`)
  await new Promise<void>((resolve) => {
    const off = onStopSignal((signal) => {
      off()
      process.stderr.write(`bench serve: ${signal}: stopping (answering the requests in flight, for at most ${DEFAULT_DRAIN_MS / 1000} s)\n`)
      resolve()
    })
  })
  await served.close()
  await lifecycle.release(model)
  process.stderr.write(`bench serve: stopped after ${served.batcher.stats.requests} sampling requests in ${served.batcher.stats.batches} batches\n`)
}

// The model matrix against what it claims: every price has a dated source, every context label says its window, every
// local start line names the weights the entry sends and configures at least the window it declares (YaRN included),
// the unreachable-server message prints that line, and the README's model table shows the matrix as it is.

import type { ModelEntry, ModelSpec } from '../src/core/types.ts'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { models } from '../fixtures/models.ts'
import { checkEndpoint } from '../src/node/global-setup.ts'
import { resolveModels } from '../src/node/matrix.ts'
import { startHint } from '../src/models/presets.ts'

const entries: [string, ModelEntry][] = Object.entries(models)
const local = entries.filter(([, entry]) => entry.where === 'local')

/**
 * Pre-training windows of the weights served by vLLM here, from their model cards: a larger declared window needs
 * YaRN on the start line. A vLLM entry for weights not listed fails, so its window is stated before it is trusted.
 */
const pretrainedWindow: Record<string, number> = { 'Qwen/Qwen3-32B': 32_768 }

/** The value after a flag (`-c 4096`, `--ctx-size=4096`), or undefined. */
function flag(line: string, names: string[]): string | undefined {
  for (const name of names) {
    const match = new RegExp(`(?:^|\\s)${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\s+|=)('[^']*'|\\S+)`).exec(line)
    if (match?.[1] !== undefined) {
      return match[1].replace(/^'|'$/g, '').replace(/,$/, '')
    }
  }
  return undefined
}

const numberOf = (value: string | undefined): number => (value === undefined ? Number.NaN : Number(value))

/** The YaRN settings a vLLM line passes, from `--hf-overrides` (rope_parameters or rope_scaling) or `--rope-scaling`. */
function yarnOf(line: string): { factor: number, original: number } | undefined {
  const overrides = flag(line, ['--hf-overrides'])
  const scaling = flag(line, ['--rope-scaling'])
  const parsed = overrides ? JSON.parse(overrides) as Record<string, Record<string, unknown>> : undefined
  const rope = (parsed?.rope_parameters ?? parsed?.rope_scaling ?? (scaling ? JSON.parse(scaling) : undefined)) as Record<string, unknown> | undefined
  if (!rope) {
    return undefined
  }
  expect(rope.rope_type ?? rope.type).toBe('yarn')
  return { factor: Number(rope.factor), original: Number(rope.original_max_position_embeddings) }
}

/** What a start line names as the served model, and the window it gives one request (undefined: the server sets none). */
function served(entry: ModelEntry, line: string): { model: string | undefined, window: number | undefined } {
  switch (entry.server) {
    case 'llama.cpp': {
      // -c is shared by the -np slots: one request gets -c / -np. Without -np the slot count is the server's guess.
      const window = numberOf(flag(line, ['-c', '--ctx-size'])) / numberOf(flag(line, ['-np', '--parallel']))
      return { model: flag(line, ['--alias', '-a'])?.split(',').find(alias => alias === entry.model), window }
    }
    case 'vllm': {
      const window = numberOf(flag(line, ['--max-model-len']))
      const native = pretrainedWindow[entry.model]
      expect(native, `${entry.model}: add its pre-training window to this test`).toBeDefined()
      const yarn = yarnOf(line)
      if (entry.context.tokens > (native ?? 0)) {
        // A YaRN window is the factor times the pre-training window: it must cover what the server is told to accept.
        expect(yarn, `${entry.model} past ${native} tokens needs YaRN: ${line}`).toBeDefined()
        expect(yarn?.original, line).toBe(native)
        expect((yarn?.factor ?? 0) * (yarn?.original ?? 0), line).toBeGreaterThanOrEqual(window)
      }
      return { model: /vllm serve (\S+)/.exec(line)?.[1], window }
    }
    case 'ollama':
      return { model: flag(line, ['ollama pull']), window: numberOf(/OLLAMA_CONTEXT_LENGTH=(\d+)/.exec(line)?.[1]) }
    case 'lmstudio':
      return { model: flag(line, ['lms load']), window: numberOf(flag(line, ['--context-length'])) }
    case 'mlx':
      // mlx_lm.server has no context setting: the window is the model's own (the entry's comment cites it).
      return { model: flag(line, ['--model']), window: undefined }
    default:
      throw new Error(`no start-line check for server kind ${entry.server}`)
  }
}

describe('prices', () => {
  it('every cloud entry has a price and says where and when it was read; local ones cost nothing', () => {
    for (const [key, entry] of entries) {
      if (entry.where === 'cloud') {
        expect(entry.price, key).toBeDefined()
        expect(entry.priceSource?.checked, key).toMatch(/^20\d\d-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/)
        expect(entry.priceSource?.url, key).toMatch(/^https:\/\/[\w.-]+\.[a-z]{2,}\//)
      }
      else {
        expect(entry.price, key).toBeUndefined()
      }
    }
  })

  it('a long-prompt tier charges more than the base rates, never less', () => {
    for (const [key, entry] of entries) {
      for (const tier of entry.price?.tiers ?? []) {
        expect(tier.input, key).toBeGreaterThan(entry.price?.input ?? Number.POSITIVE_INFINITY)
        expect(tier.output, key).toBeGreaterThanOrEqual(entry.price?.output ?? Number.POSITIVE_INFINITY)
      }
    }
  })
})

describe('context windows', () => {
  it('each label is its window rounded (K as 1000 or 1024, M as 10^6 or 2^20), so the Context column cannot drift from it', () => {
    for (const [key, entry] of entries) {
      const match = /^(\d+(?:\.\d+)?)([KM])$/.exec(entry.context.label)
      expect(match, `${key}: label ${entry.context.label}`).not.toBeNull()
      const [value, unit] = [Number(match?.[1]), match?.[2]]
      const readings = unit === 'K' ? [value * 1000, value * 1024] : [value * 1e6, value * 2 ** 20]
      const closest = Math.min(...readings.map(reading => Math.abs(reading - entry.context.tokens) / entry.context.tokens))
      expect(closest, `${key}: ${entry.context.label} for ${entry.context.tokens} tokens`).toBeLessThan(0.01)
    }
  })

  it('a seed label is kept only where the seed printed something other than the declared window', () => {
    for (const [key, entry] of entries) {
      if (entry.context.seedLabel !== undefined) {
        expect(entry.context.seedLabel, key).not.toBe(entry.context.label)
      }
    }
  })
})

describe('start lines of local servers', () => {
  it('name the model id the entry sends and give one request at least the window the entry declares', () => {
    expect(local.length).toBeGreaterThan(0)
    for (const [key, entry] of local) {
      const line = startHint(entry)
      // A placeholder the entry cannot fill (the weights' file, the tool parser) means the entry needs its own line.
      expect(line, key).not.toMatch(/\b(?:FILE|PARSER|MODEL|PORT|CONTEXT)\b/)
      const { model, window } = served(entry, line)
      expect(model, `${key}: ${line}`).toBe(entry.model)
      if (window !== undefined) {
        expect(window, `${key}: ${line}`).toBeGreaterThanOrEqual(entry.context.tokens)
      }
    }
  })

  it('listen on the port of the entry\'s base URL', () => {
    for (const [key, entry] of local) {
      const port = flag(startHint(entry), ['--port'])
      if (port !== undefined) {
        expect(port, key).toBe(new URL(entry.baseURL).port)
      }
    }
  })

  it('the preset\'s template is filled from the entry: its id, its port, its window', () => {
    const entry: ModelEntry = { name: 'x', model: 'org/Some-Model-GGUF', baseURL: 'http://127.0.0.1:9123/v1', server: 'llama.cpp', where: 'local', context: { label: '64K', tokens: 65_536 } }
    expect(startHint(entry)).toMatch(/^llama-server -m FILE\.gguf --alias org\/Some-Model-GGUF --jinja -c 65536 -np 1 --port 9123 /)
    expect(startHint({ ...entry, server: 'ollama', model: 'qwen3:32b' })).toContain('ollama pull qwen3:32b, then OLLAMA_CONTEXT_LENGTH=65536 ollama serve')
    expect(startHint({ ...entry, start: 'my own line' })).toBe('my own line')
  })
})

describe('the unreachable-server message', () => {
  async function closedPort(): Promise<number> {
    const server = createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    await new Promise<void>(resolve => server.close(() => resolve()))
    return typeof address === 'object' && address ? address.port : 1
  }

  it('prints the entry\'s own start line (Unsloth\'s files, --alias) or the preset\'s filled in (Ollama\'s context)', async () => {
    const specs = new Map<string, ModelSpec>(resolveModels(models, {}).map(spec => [spec.key, spec]))
    const port = await closedPort()
    const baseURL = `http://127.0.0.1:${port}/v1`
    const m27q8 = await checkEndpoint(specs.get('m27q8') as ModelSpec, baseURL, {})
    expect(m27q8.ok).toBe(false)
    expect(m27q8.reason).toContain(`m27q8: skipped: cannot reach ${baseURL}`)
    expect(m27q8.reason).toContain('Start llama-server -hf unsloth/MiniMax-M2.7-GGUF:UD-Q8_K_XL --alias MiniMax-M2.7-Q8_K_XL')
    const nemotron = await checkEndpoint(specs.get('nemotron3') as ModelSpec, baseURL, {})
    expect(nemotron.reason).toContain('Start ollama pull nemotron-3-super:120b, then OLLAMA_CONTEXT_LENGTH=262144 ollama serve')
  })
})

describe('the README\'s model table', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('### The models'), readme.indexOf('### Add a model'))
  const rows = section.split('\n').filter(line => /^\| `[\w.-]+` \|/.test(line))

  it('has one row per entry, with its id, its window, the seed\'s label where it differs, and the price\'s source and date', () => {
    expect(rows.map(row => /^\| `([\w.-]+)` \|/.exec(row)?.[1])).toEqual(entries.map(([key]) => key))
    for (const [key, entry] of entries) {
      const row = rows.find(line => line.startsWith(`| \`${key}\` |`)) ?? ''
      expect(row, key).toContain(`\`${entry.model}\``)
      expect(row, key).toContain(entry.context.label)
      if (entry.context.seedLabel) {
        expect(row, key).toContain(entry.context.seedLabel)
      }
      if (entry.priceSource) {
        expect(row, key).toContain(`[${entry.priceSource.checked}](${entry.priceSource.url})`)
      }
    }
  })
})

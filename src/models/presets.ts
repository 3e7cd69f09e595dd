// Per-server request knobs: which field limits output, which extra fields a server accepts, how thinking is
// turned off, which schema keywords it rejects, whether reasoning must be echoed back. One preset per server kind; a
// model entry picks one with `server` and can still add fields through `params.extraBody`. Facts from
// research/server-quirks.md (rule numbers in the comments).

import type { Json, ModelEntry, ServerKind } from '../core/types.ts'

interface ServerPreset {
  /** The output-limit field the server reads (rule 21): Ollama ignores `max_completion_tokens`, OpenAI reasoning models reject `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens'
  /** Output limit sent when the entry sets none, for servers whose own default silently truncates tool calls (rule 21). */
  defaultMaxOutputTokens?: number
  /** Send `temperature` unless the entry says otherwise (OpenAI reasoning models reject non-default values). */
  sendsTemperature: boolean
  /** Fields merged into every request body. */
  body: Record<string, Json>
  /** Fields that turn thinking off on this server, sent when the entry sets `params.thinking: false` ({} when there is no switch). */
  thinkingOff: Record<string, Json>
  /**
   * The server rejects unknown top-level fields with HTTP 400 (Gemini, rule 10): only the standard Chat Completions
   * fields are sent, and `params.extraBody` may add no others (resolveModels refuses the entry).
   */
  strictFields: boolean
  /** JSON Schema keywords removed from tool parameters and response schemas before sending (rule 18). */
  schemaDrop: string[]
  /** `response_format` kinds the server honours (rule 19). */
  responseFormat: 'json_schema' | 'json_object' | 'none'
  /** The server needs the previous assistant turn's reasoning sent back as `reasoning_content` (DeepSeek thinking mode, rule 22). */
  echoReasoning: boolean
  /**
   * What the user must start or set, printed when the server cannot be reached. MODEL, PORT and CONTEXT are filled in
   * from the entry (its model id, its base URL's port, its declared context in tokens); an entry's own `start` wins.
   */
  start: string
}

/** The Chat Completions request fields a strict server (Gemini) accepts; `extra_body` carries Google's own settings. */
export const standardFields: ReadonlySet<string> = new Set([
  'model', 'messages', 'tools', 'tool_choice', 'parallel_tool_calls', 'temperature', 'top_p', 'n', 'stop', 'seed',
  'max_tokens', 'max_completion_tokens', 'stream', 'stream_options', 'response_format', 'reasoning_effort',
  'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'user', 'extra_body',
])

const base: ServerPreset = {
  maxTokensField: 'max_tokens',
  sendsTemperature: true,
  body: {},
  thinkingOff: {},
  strictFields: false,
  schemaDrop: [],
  responseFormat: 'json_schema',
  echoReasoning: false,
  start: 'an OpenAI-compatible server',
}

/** How Qwen3-family chat templates turn thinking off, per request (llama.cpp, mlx_lm, vLLM). */
const templateNoThinking: Record<string, Json> = { chat_template_kwargs: { enable_thinking: false } }

export const presets: Record<ServerKind, ServerPreset> = {
  'reference': { ...base, start: 'nothing: the embedded reference server starts with the run' },
  'llama.cpp': {
    ...base,
    // llama-server defaults parallel_tool_calls to false (rule 24).
    body: { parallel_tool_calls: true },
    thinkingOff: templateNoThinking,
    // --alias: llama-server answers to the name it is given, not to the id the entry sends, unless they match.
    start: 'llama-server -m FILE.gguf --alias MODEL --jinja -c CONTEXT -np 1 --port PORT (without --jinja tools are ignored and calls come back as text; -c is split across -np slots, so with -np N give -c N times the context)',
  },
  'ollama': {
    ...base,
    // Ollama maps reasoning_effort "none" to think:false; models without thinking answer 400, so it is opt-in.
    thinkingOff: { reasoning_effort: 'none' },
    start: 'ollama pull MODEL, then OLLAMA_CONTEXT_LENGTH=CONTEXT ollama serve (Ollama silently truncates past its context length)',
  },
  'mlx': {
    ...base,
    // mlx_lm.server defaults to 512 output tokens and drops a tool call cut off by it, with a log line only.
    defaultMaxOutputTokens: 4096,
    thinkingOff: templateNoThinking,
    responseFormat: 'none',
    start: 'mlx_lm.server --model MODEL --port PORT (a model whose tokenizer has no tool support gets tools ignored)',
  },
  'vllm': {
    ...base,
    thinkingOff: templateNoThinking,
    start: 'vllm serve MODEL --port PORT --max-model-len CONTEXT --enable-auto-tool-choice --tool-call-parser PARSER (plus --reasoning-parser for thinking models, and YaRN through --hf-overrides past the model\'s native window)',
  },
  'lmstudio': {
    ...base,
    start: 'lms load MODEL --context-length CONTEXT, then lms server start --port PORT (a model outside "native" tool mode writes [TOOL_REQUEST] text)',
  },
  'openai': {
    ...base,
    maxTokensField: 'max_completion_tokens',
    sendsTemperature: false,
    thinkingOff: { reasoning_effort: 'none' },
    start: 'an OpenAI API key in OPENAI_API_KEY',
  },
  'anthropic': {
    ...base,
    // Thinking is off unless extra_body.thinking enables it; response_format and strict are ignored by the compat layer.
    responseFormat: 'none',
    start: 'an Anthropic API key in ANTHROPIC_API_KEY',
  },
  'gemini': {
    ...base,
    // reasoning_effort "none" disables thinking on 2.5 Flash; Pro and Gemini 3 cannot fully disable it.
    thinkingOff: { reasoning_effort: 'none' },
    strictFields: true,
    schemaDrop: ['additionalProperties', '$schema', 'default', 'examples', 'const'],
    start: 'a Gemini API key in GEMINI_API_KEY',
  },
  'xai': {
    ...base,
    // grok-4.20 rejects reasoning_effort with any value: pick a non-reasoning model id instead of a switch.
    schemaDrop: ['additionalProperties'],
    start: 'an xAI API key in XAI_API_KEY',
  },
  'openrouter': {
    ...base,
    // Route only to providers that honour every parameter sent (tools, response_format), not ones that drop them.
    body: { provider: { require_parameters: true } },
    thinkingOff: { reasoning: { enabled: false } },
    start: 'an OpenRouter API key in OPENROUTER_API_KEY',
  },
  'fireworks': {
    ...base,
    thinkingOff: { reasoning_effort: 'none' },
    start: 'a Fireworks API key in FIREWORKS_API_KEY',
  },
  'deepseek': {
    ...base,
    responseFormat: 'json_object',
    // Thinking off by default (extraBody `thinking: {type: "enabled"}` turns it on); when on, reasoning_content must be echoed.
    body: { thinking: { type: 'disabled' } },
    thinkingOff: { thinking: { type: 'disabled' } },
    echoReasoning: true,
    start: 'a DeepSeek API key in DEEPSEEK_API_KEY',
  },
}

/** The port a base URL names, or its scheme's default. */
function portOf(baseURL: string): string {
  try {
    const url = new URL(baseURL)
    return url.port || (url.protocol === 'https:' ? '443' : '80')
  }
  catch {
    return 'PORT'
  }
}

/**
 * What to start for this entry, as the unreachable-server message prints it: the entry's own `start` as written, or
 * its preset's with MODEL, PORT and CONTEXT filled in, so the line names the weights and the window the entry declares.
 */
export function startHint(spec: Pick<ModelEntry, 'server' | 'model' | 'baseURL' | 'context' | 'start'>): string {
  if (spec.start) {
    return spec.start
  }
  const values: Record<string, string> = { MODEL: spec.model, PORT: portOf(spec.baseURL), CONTEXT: String(spec.context.tokens) }
  // One pass, with a function: a model id is never read as a placeholder or as a replacement pattern.
  return (presets[spec.server]?.start ?? base.start).replace(/\b(?:MODEL|PORT|CONTEXT)\b/g, name => values[name] ?? name)
}

/** One line per `params.extraBody` field a strict server would reject; empty when the entry is fine. */
export function strictFieldProblems(key: string, entry: Pick<ModelEntry, 'server' | 'params'>): string[] {
  const preset = presets[entry.server]
  if (!preset?.strictFields) {
    return []
  }
  return Object.keys(entry.params?.extraBody ?? {})
    .filter(field => !standardFields.has(field))
    .map(field => `${key}: params.extraBody.${field} is not a Chat Completions field, and ${entry.server} rejects unknown fields with HTTP 400 (put provider settings under extra_body)`)
}

/** A JSON Schema without the keywords a server rejects and without `description: null`, at every depth (property names are kept). */
export function dropSchemaKeywords(schema: Json, keywords: readonly string[]): Json {
  if (typeof schema !== 'object' || schema === null) {
    return schema
  }
  if (Array.isArray(schema)) {
    return schema.map(item => dropSchemaKeywords(item, keywords))
  }
  const out: Record<string, Json> = {}
  for (const [name, value] of Object.entries(schema)) {
    if (keywords.includes(name) || (name === 'description' && value === null)) {
      continue
    }
    if ((name === 'properties' || name === '$defs' || name === 'definitions') && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      out[name] = Object.fromEntries(Object.entries(value).map(([property, sub]) => [property, dropSchemaKeywords(sub, keywords)]))
    }
    else {
      out[name] = dropSchemaKeywords(value, keywords)
    }
  }
  return out
}

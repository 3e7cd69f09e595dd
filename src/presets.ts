// Per-server request knobs: which field limits output, which extra fields a server accepts, how thinking is
// turned off, whether reasoning must be echoed back. One preset per server kind; a model entry picks one with
// `server` and can still add fields through `params.extraBody`. Facts from research/server-quirks.md.

import type { Json, ServerKind } from './types.ts'

export interface ServerPreset {
  /** The output-limit field the server reads (rule 21). */
  maxTokensField: 'max_tokens' | 'max_completion_tokens'
  /** Send `temperature` unless the entry says otherwise (OpenAI reasoning models reject non-default values). */
  sendsTemperature: boolean
  /** Fields merged into every request body. */
  body: Record<string, Json>
  /** The server rejects unknown top-level fields with 400 (Gemini): extraBody is not filtered, but presets add none. */
  strictFields: boolean
  /** `response_format` kinds the server honours (rule 19). */
  responseFormat: 'json_schema' | 'json_object' | 'none'
  /** The server needs the previous assistant turn's reasoning sent back (DeepSeek thinking mode, rule 22). */
  echoReasoning: boolean
  /** What the user must start, for the README and the unreachable-server message. */
  start: string
}

const base: ServerPreset = {
  maxTokensField: 'max_tokens',
  sendsTemperature: true,
  body: {},
  strictFields: false,
  responseFormat: 'json_schema',
  echoReasoning: false,
  start: 'an OpenAI-compatible server',
}

export const presets: Record<ServerKind, ServerPreset> = {
  'reference': { ...base, start: 'nothing: the embedded reference server starts with the run' },
  'llama.cpp': {
    ...base,
    body: { parallel_tool_calls: true },
    start: 'llama-server -m MODEL.gguf --jinja --port PORT (without --jinja tools are ignored)',
  },
  'ollama': { ...base, start: 'ollama serve, with the model pulled and OLLAMA_CONTEXT_LENGTH set to the context you benchmark' },
  'mlx': { ...base, responseFormat: 'none', start: 'mlx_lm.server --model MODEL --port PORT (default max_tokens is 512: the preset always sends a limit)' },
  'vllm': { ...base, start: 'vllm serve MODEL --enable-auto-tool-choice --tool-call-parser PARSER' },
  'lmstudio': { ...base, start: 'LM Studio\'s server (lms server start) with the model loaded' },
  'openai': { ...base, maxTokensField: 'max_completion_tokens', sendsTemperature: false, start: 'an OpenAI API key in OPENAI_API_KEY' },
  'anthropic': { ...base, responseFormat: 'none', start: 'an Anthropic API key in ANTHROPIC_API_KEY' },
  'gemini': { ...base, strictFields: true, start: 'a Gemini API key in GEMINI_API_KEY' },
  'xai': { ...base, start: 'an xAI API key in XAI_API_KEY' },
  'openrouter': { ...base, body: { provider: { require_parameters: true } }, start: 'an OpenRouter API key in OPENROUTER_API_KEY' },
  'fireworks': { ...base, start: 'a Fireworks API key in FIREWORKS_API_KEY' },
  'deepseek': { ...base, responseFormat: 'json_object', echoReasoning: true, body: { thinking: { type: 'disabled' } }, start: 'a DeepSeek API key in DEEPSEEK_API_KEY' },
}

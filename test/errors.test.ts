// Classifying errors from every server's body shape (research/server-quirks.md sections 7 and 13), deciding what is
// worth a retry and what is the infrastructure's fault, and keeping keys out of every message.

import type { ErrorKind } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { classifyError, classifyReplyError, isInfrastructure, isTransient, readErrorBody, recordError, redact } from '../src/models/errors.ts'
import { redactJson, redactStreamChunks } from '../src/models/redact.ts'

describe('readErrorBody: every error body shape', () => {
  it('object with a string code (OpenAI), with an int code (llama.cpp, vLLM), with code null (Ollama)', () => {
    expect(readErrorBody({ error: { code: 'model_not_found', message: 'The model `gpt-5.2-proo` does not exist or you do not have access to it.', param: null, type: 'invalid_request_error' } }))
      .toEqual({ message: 'The model `gpt-5.2-proo` does not exist or you do not have access to it.', code: 'model_not_found' })
    expect(readErrorBody({ error: { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 5213, n_ctx: 4096 } }))
      .toEqual({ message: 'the request exceeds the available context size, try increasing it', code: '400', status: 400 })
    expect(readErrorBody({ error: { message: 'model "llama9" not found, try pulling it first', type: 'not_found_error', param: null, code: null } }))
      .toEqual({ message: 'model "llama9" not found, try pulling it first', code: 'not_found_error' })
  })

  it('a string (LM Studio, mlx_lm), an array (Gemini), legacy top-level (vLLM 2024), as JSON text too', () => {
    expect(readErrorBody({ error: '\'response_format.type\' must be \'json_schema\' or \'text\'' })).toEqual({ message: '\'response_format.type\' must be \'json_schema\' or \'text\'', code: '' })
    const gemini = [{ error: { code: 400, message: 'Invalid JSON payload received. Unknown name "reasoning": Cannot find field.', status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest' }] } }]
    expect(readErrorBody(gemini)).toEqual({ message: 'Invalid JSON payload received. Unknown name "reasoning": Cannot find field.', code: '400', status: 400 })
    expect(readErrorBody(JSON.stringify(gemini)).message).toContain('Unknown name "reasoning"')
    expect(readErrorBody({ object: 'error', message: 'This model\'s maximum context length is 4096 tokens. However, you requested 5000 tokens.', type: 'BadRequestError', param: null, code: 400 }))
      .toEqual({ message: 'This model\'s maximum context length is 4096 tokens. However, you requested 5000 tokens.', code: '400', status: 400 })
  })

  it('OpenRouter metadata.raw is appended; MiniMax base_resp; FastAPI detail; plain text; nothing', () => {
    expect(readErrorBody({ error: { code: 429, message: 'Provider returned error', metadata: { provider_name: 'Google', raw: 'google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream' } }, user_id: 'user_2x' }))
      .toEqual({ message: 'Provider returned error (google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream)', code: '429', status: 429 })
    expect(readErrorBody({ id: '', choices: null, base_resp: { status_code: 1002, status_msg: 'rate limit exceeded(RPM)' } })).toEqual({ message: 'rate limit exceeded(RPM)', code: '1002' })
    expect(readErrorBody({ detail: 'Not Found' })).toEqual({ message: 'Not Found', code: '' })
    expect(readErrorBody('<html><body>502 Bad Gateway</body></html>')).toEqual({ message: '502 Bad Gateway', code: '', page: true })
    expect(readErrorBody('<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>'))
      .toEqual({ message: '413 Request Entity Too Large', code: '', page: true })
    expect(readErrorBody('Request Entity Too Large')).toEqual({ message: 'Request Entity Too Large', code: '' })
    expect(readErrorBody(undefined)).toEqual({ message: '', code: '' })
  })
})

/** [server, status, body, expected kind] from the research's recorded bodies and cheat sheet. */
const cases: [string, number | undefined, unknown, ErrorKind][] = [
  ['openai context', 400, { error: { message: 'This model\'s maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } }, 'context_length'],
  ['openai rate limit', 429, { error: { message: 'Rate limit reached for gpt-5.4 on tokens per min (TPM)', type: 'tokens', param: null, code: 'rate_limit_exceeded' } }, 'rate_limit'],
  ['openai quota', 429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } }, 'rate_limit'],
  ['openai bad key', 401, { error: { message: 'Incorrect API key provided: sk-abc***1234.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }, 'auth'],
  ['openai model', 404, { error: { code: 'model_not_found', message: 'The model `gpt-5.2-proo` does not exist or you do not have access to it.', param: null, type: 'invalid_request_error' } }, 'not_found'],
  ['openai max_tokens', 400, { error: { message: 'Unsupported parameter: \'max_tokens\' is not supported with this model. Use \'max_completion_tokens\' instead.', type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter' } }, 'bad_request'],
  ['openai 500', 500, { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }, 'server'],
  ['anthropic overloaded', 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'server'],
  ['anthropic too large', 413, { type: 'error', error: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' } }, 'context_length'],
  ['anthropic rate', 429, { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } }, 'rate_limit'],
  ['gemini unknown field', 400, [{ error: { code: 400, message: 'Invalid JSON payload received. Unknown name "reasoning": Cannot find field.', status: 'INVALID_ARGUMENT' } }], 'bad_request'],
  ['gemini context', 400, [{ error: { code: 400, message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).', status: 'INVALID_ARGUMENT' } }], 'context_length'],
  ['gemini bad key', 400, [{ error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }], 'auth'],
  ['gemini quota', 429, [{ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }], 'rate_limit'],
  ['gemini overloaded', 503, [{ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }], 'server'],
  ['gemini deadline', 504, [{ error: { code: 504, message: 'Deadline expired before operation could complete.', status: 'DEADLINE_EXCEEDED' } }], 'timeout'],
  ['xai bad key', 400, { code: 'Client specified an invalid argument', error: 'Incorrect API key provided: xa***Zz. You can obtain an API key from https://console.x.ai.' }, 'auth'],
  ['openrouter 429', 429, { error: { code: 429, message: 'Provider returned error', metadata: { provider_name: 'Google', raw: 'google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream' } }, user_id: 'u' }, 'rate_limit'],
  ['openrouter credits', 402, { error: { code: 402, message: 'Insufficient credits. Add more using https://openrouter.ai/credits' } }, 'auth'],
  ['openrouter no provider', 503, { error: { code: 503, message: 'No allowed providers are available for the selected model.' } }, 'server'],
  ['deepseek balance', 402, { error: { message: 'Insufficient Balance', type: 'unknown_error', param: null, code: 'invalid_request_error' } }, 'auth'],
  ['deepseek invalid params', 422, { error: { message: 'Invalid parameters', type: 'invalid_request_error', param: null, code: 'invalid_request_error' } }, 'bad_request'],
  ['llama.cpp context', 400, { error: { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 5213, n_ctx: 4096 } }, 'context_length'],
  ['llama.cpp context (500, Sept 2025)', 500, { error: { code: 500, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error' } }, 'context_length'],
  ['llama.cpp tools', 500, { error: { code: 500, message: 'Failed to parse tools: [json.exception.type_error.302] type must be string, but is null', type: 'server_error' } }, 'bad_request'],
  ['llama.cpp model output', 500, { error: { code: 500, message: 'Failed to parse input at pos 12: <tool_call>{"name": "rate_limit"', type: 'server_error' } }, 'bad_request'],
  ['llama.cpp loading', 503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } }, 'server'],
  ['ollama missing model', 404, { error: { message: 'model "qwen9" not found, try pulling it first', type: 'not_found_error', param: null, code: null } }, 'not_found'],
  ['ollama queue full', 503, { error: { message: 'server busy, please try again.  maximum pending requests exceeded', type: 'api_error', param: null, code: null } }, 'server'],
  ['mlx_lm string', 404, { error: '404 Client Error: Not Found for url: https://huggingface.co/api/models/x/y/revision/main' }, 'not_found'],
  ['vllm context', 400, { error: { message: 'This model\'s maximum context length is 32768 tokens. However, you requested 40000 tokens (39000 in the messages, 1000 in the completion).', type: 'BadRequestError', param: null, code: 400 } }, 'context_length'],
  ['vllm legacy context', 400, { object: 'error', message: 'This model\'s maximum context length is 4096 tokens. However, you requested 5000 tokens.', type: 'BadRequestError', param: null, code: 400 }, 'context_length'],
  ['vllm unknown model', 404, { error: { message: 'The model `qwen` does not exist.', type: 'NotFoundError', param: null, code: 404 } }, 'not_found'],
  ['vllm no parser', 400, { error: { message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set', type: 'BadRequestError', param: null, code: 400 } }, 'bad_request'],
  ['lmstudio string', 400, { error: '\'response_format.type\' must be \'json_schema\' or \'text\'' }, 'bad_request'],
  ['html gateway page', 502, '<html><body>502 Bad Gateway</body></html>', 'server'],
  ['nginx 413 page (a proxy, not the context)', 413, '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>', 'server'],
  ['a bare 413 with no body', 413, undefined, 'server'],
  ['a proxy\'s 400 page', 400, '<!DOCTYPE html><html><head><title>400 Request Header Or Cookie Too Large</title></head><body></body></html>', 'server'],
  ['a proxy\'s 401 page', 401, '<html><head><title>401 Authorization Required</title></head></html>', 'auth'],
  ['a proxy\'s 429 page', 429, '<html><body><h1>429 Too Many Requests</h1></body></html>', 'rate_limit'],
  ['a redirect the client did not follow', 302, { error: { message: 'redirected to another origin' } }, 'server'],
  ['openrouter error chunk (200 stream)', undefined, { code: 400, message: 'Token limit reached' }, 'context_length'],
  ['openrouter upstream chunk (200 stream)', undefined, { code: 502, message: 'Provider returned error' }, 'server'],
  ['llama.cpp error chunk (200 stream)', undefined, { code: 500, message: 'Failed to parse input at pos 0: [TOOL_CALLS]get_weather', type: 'server_error' }, 'bad_request'],
  ['minimax base_resp (200)', undefined, { base_resp: { status_code: 1002, status_msg: 'rate limit exceeded(RPM)' } }, 'rate_limit'],
  ['minimax bad key (200)', undefined, { base_resp: { status_code: 1004, status_msg: 'login fail: Please carry the API secret key' } }, 'auth'],
  ['unreadable reply', undefined, 'stream ended without a finish_reason', 'stream'],
  ['no reply at all', undefined, undefined, 'network'],
]

describe('classifyError', () => {
  it.each(cases)('%s (HTTP %s): %s', (_, status, body, kind) => {
    expect(classifyError(status, body)).toBe(kind)
  })

  it('reads the class from the body before the status: model text after "pos N:" cannot fool it', () => {
    expect(classifyError(500, { error: { message: 'Failed to parse input at pos 3: maximum context length and rate limit', code: 500 } })).toBe('bad_request')
    expect(classifyError(400, { error: { message: '\'timeout\' is not a valid field' } })).toBe('bad_request')
  })
})

describe('what is retried and what counts against the model', () => {
  it('rate limits, server errors, timeouts and dropped connections are transient; nothing else is', () => {
    const all: ErrorKind[] = ['rate_limit', 'context_length', 'auth', 'not_found', 'bad_request', 'server', 'stream', 'timeout', 'network', 'sandbox']
    expect(all.filter(isTransient)).toEqual(['rate_limit', 'server', 'timeout', 'network'])
  })

  it('context overflows and rejected requests are the model\'s run; everything else is infrastructure', () => {
    const all: ErrorKind[] = ['rate_limit', 'context_length', 'auth', 'not_found', 'bad_request', 'server', 'stream', 'timeout', 'network', 'sandbox']
    expect(all.filter(kind => !isInfrastructure(kind))).toEqual(['context_length', 'bad_request'])
  })
})

describe('redact', () => {
  const key = 'sk-milo-test-SECRET-0123456789'
  it('removes the key as is, URL-encoded, and its last 8 characters (masked echoes)', () => {
    expect(redact(`HTTP 401: Incorrect API key provided: Bearer ${key}`, [key])).toBe('HTTP 401: Incorrect API key provided: Bearer [redacted]')
    expect(redact(`key=${encodeURIComponent('abc/def+ghi=jkl')}`, ['abc/def+ghi=jkl'])).toBe('key=[redacted]')
    expect(redact('Incorrect API key provided: sk-mil************23456789', [key])).toBe('Incorrect API key provided: sk-mil************[redacted]')
  })

  it('removes any run of 12 or more of the key\'s characters, wherever it sits; 11 are left', () => {
    expect(redact(`echo: ${key.slice(3, 15)}!`, [key])).toBe('echo: [redacted]!')
    expect(redact(`the middle ${key.slice(9, 21)} and the start ${key.slice(0, 12)}`, [key])).toBe('the middle [redacted] and the start [redacted]')
    expect(redact(`twice: ${key}${key}`, [key])).toBe('twice: [redacted]')
    expect(redact(`eleven: ${key.slice(2, 13)}`, [key])).toBe(`eleven: ${key.slice(2, 13)}`)
  })

  it('a key streamed a few characters per delta is redacted in the joined fragments', () => {
    const delta = (content: string): unknown => ({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })
    const parts = ['The key is ', key.slice(0, 5), key.slice(5, 10), key.slice(10, 20), key.slice(20), ', right?']
    const chunks = redactStreamChunks(parts.map(delta), [key]) as { choices: { delta: { content: string } }[] }[]
    const joined = chunks.map(chunk => chunk.choices[0]?.delta.content).join('')
    expect(joined).toMatch(/^The key is (?:\[redacted\])+, right\?$/)
    const calls = redactStreamChunks([
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: `{"k":"${key.slice(0, 7)}` } }] } }] },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: `${key.slice(7)}"}` } }] } }] },
    ], [key])
    expect(JSON.stringify(calls)).not.toContain(key.slice(0, 7))
    expect(JSON.stringify(calls)).not.toContain(key.slice(7))
  })

  it('redactJson walks any depth, keys included, in place', () => {
    let deep: Record<string, unknown> = { leaf: `x${key}x` }
    for (let i = 0; i < 10_000; i++) {
      deep = { a: deep }
    }
    const out = redactJson({ [key]: 1, list: [key, { nested: deep }] }, [key])
    expect(JSON.stringify(out.list[0])).toBe('"[redacted]"')
    expect(Object.keys(out)).toEqual(['list', '[redacted]'])
    let node = (out.list[1] as { nested: Record<string, unknown> }).nested
    while (node.a) {
      node = node.a as Record<string, unknown>
    }
    expect(node.leaf).toBe('x[redacted]x')
  })

  it('leaves text alone without secrets, and ignores values too short to be keys', () => {
    expect(redact('no key here', [key])).toBe('no key here')
    expect(redact('a short one: abc', ['abc'])).toBe('a short one: abc')
  })

  it('recordError always redacts, and marks infrastructure kinds', () => {
    expect(recordError('auth', `rejected ${key}`, 401, [key])).toEqual({ kind: 'auth', message: 'rejected [redacted]', status: 401, infrastructure: true })
    expect(recordError('context_length', 'too long', 400, [])).toEqual({ kind: 'context_length', message: 'too long', status: 400, infrastructure: false })
  })
})

describe('classifyReplyError: an error inside an HTTP 200 reply or stream is the server failing, whatever code it carries', () => {
  /** [server, error as sent inside the 200 reply, expected kind]. */
  const inside: [string, unknown, ErrorKind][] = [
    ['vLLM engine crash mid-stream, code 400', { message: 'CUDA error: an illegal memory access was encountered', type: 'BadRequestError', param: null, code: 400 }, 'server'],
    ['SGLang mid-stream failure, code 400', { message: 'Internal error: scheduler exited', type: 'BadRequestError', code: 400 }, 'server'],
    ['a 200 body that is an error object with code 400', { error: { message: 'upstream failed', code: 400 } }, 'server'],
    ['OpenRouter provider error, code 502', { code: 502, message: 'Provider returned error' }, 'server'],
    ['OpenRouter, code 400 "Token limit reached": the conversation\'s size, the model\'s run', { code: 400, message: 'Token limit reached' }, 'context_length'],
    ['llama.cpp "Failed to parse input": the model\'s output, the model\'s run', { code: 500, message: 'Failed to parse input at pos 0: [TOOL_CALLS]get_weather', type: 'server_error' }, 'bad_request'],
    ['an error naming no class', { message: 'something went wrong' }, 'stream'],
    ['a rejected key in a stream, code 401', { code: 401, message: 'invalid key' }, 'auth'],
  ]
  it.each(inside)('%s', (_, body, kind) => {
    expect(classifyReplyError(body)).toBe(kind)
    expect(isInfrastructure(kind)).toBe(kind !== 'context_length' && kind !== 'bad_request')
  })

  it('the same body at HTTP 400 is still the request\'s fault: only a reply the server accepted is read this way', () => {
    expect(classifyError(400, { error: { message: 'CUDA error: an illegal memory access was encountered', type: 'BadRequestError', code: 400 } })).toBe('bad_request')
  })
})

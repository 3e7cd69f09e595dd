// The embedded OpenAI-compatible server: a real HTTP server on loopback that plays the reference models (`oracle`,
// `paraphrase`, `confabulator`, `baseline`, and the oracle with a flaw or a simulated latency), so the whole benchmark runs with no keys and no
// model. Clients reach it exactly as they reach llama-server or a cloud API.
//
// Model ids: `oracle`, `paraphrase`, `confabulator`, `baseline`, each optionally followed by options:
// `oracle,flaw=stop-after-first,latency=250` (flaws are the oracle's only).

import type { AddressInfo } from 'node:net'
import type { Policy, PolicyReply, PolicyRequest } from './reference/policy.ts'
import type { ChatMessage, SolutionTurn, Suite, Task, ToolDefinition } from '../core/types.ts'
import { createServer } from 'node:http'
import { charsPerToken } from '../core/haystack.ts'
import { baseline } from './reference/baseline.ts'
import { confabulator } from './reference/confabulator.ts'
import { flaws, oracle } from './reference/oracle.ts'
import { paraphrase } from './reference/paraphrase.ts'
import { replay, say, turnOf } from './reference/policy.ts'

export interface ReferenceServerOptions {
  /** Suites whose tasks the oracle knows (looked up by their prompt). */
  suites: Suite[]
  /** Extra tasks to know, e.g. generated ones. */
  tasks?: Task[]
  /** Port to listen on (0, the default, picks a free one). */
  port?: number
  /** Latency added to every reply unless the model id sets its own, in ms. */
  latencyMs?: number
  /**
   * Scripted models, for tests that try a rubric with a particular right or wrong run: model `script:<name>` plays
   * `scripts[name][taskId]` turn by turn (and says it has no script for any other task).
   */
  scripts?: Record<string, Record<string, SolutionTurn[]>>
}

export interface ReferenceServer {
  url: string
  /** Requests answered, per model id. */
  requests: Map<string, number>
  /** Most requests in flight at once, per model id. */
  peakInFlight: Map<string, number>
  /** The prompt (first user message) of every request, in arrival order. */
  prompts: string[]
  /** When the first request arrived and the last reply was sent, per model id (performance.now() ms). */
  activity: Map<string, { first: number, last: number }>
  close: () => Promise<void>
}

interface ModelOptions {
  policy: Policy
  latencyMs: number | undefined
}

/** The models the server plays. */
export const referenceModels = ['oracle', 'paraphrase', 'confabulator', 'baseline'] as const

/** A scripted model: each task's turns as written, or a plain refusal for a task without a script. */
function scripted(turns: Record<string, SolutionTurn[]>): Policy {
  return (request, task) => {
    const script = task ? turns[task.id] : undefined
    return script ? replay(script, turnOf(request)) : say('I have no script for this task.')
  }
}

/** Reads a reference model id; undefined when it names no reference model. */
function parseModelId(id: string, scripts: ReferenceServerOptions['scripts'] = {}): ModelOptions | undefined {
  const [name, ...options] = id.split(',')
  const settings = new Map(options.map((option) => {
    const [key = '', value = ''] = option.split('=')
    return [key.trim(), value.trim()] as const
  }))
  const latency = settings.has('latency') ? Number(settings.get('latency')) : undefined
  const flaw = settings.get('flaw')
  if (flaw !== undefined && !(flaws as readonly string[]).includes(flaw)) {
    return undefined
  }
  if (name === 'oracle') {
    return { policy: oracle(flaw as (typeof flaws)[number] | undefined), latencyMs: latency }
  }
  const script = name?.startsWith('script:') ? scripts[name.slice('script:'.length)] : undefined
  if (script) {
    return { policy: scripted(script), latencyMs: latency }
  }
  const others: Record<string, Policy> = { baseline, paraphrase, confabulator }
  const policy = name === undefined ? undefined : others[name]
  if (policy && flaw === undefined) {
    return { policy, latencyMs: latency }
  }
  return undefined
}

const tokens = (text: string): number => Math.ceil(text.length / charsPerToken)

function completionBody(model: string, reply: PolicyReply, promptTokens: number, turn: number): Record<string, unknown> {
  const toolCalls = reply.toolCalls.map((call, i) => ({ id: `call${turn}x${i}`.padEnd(9, '0'), type: 'function', function: call }))
  const completionTokens = tokens((reply.content ?? '') + reply.toolCalls.map(call => call.name + call.arguments).join(''))
  return {
    id: `chatcmpl-ref${turn}`,
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: reply.content, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
      finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
    }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  }
}

/** The same reply as SSE chunks: content in pieces, each call's arguments fragmented, then finish and usage. */
function streamChunks(body: Record<string, unknown>): unknown[] {
  const choice = (body.choices as { message: { content: string | null, tool_calls?: { id: string, function: { name: string, arguments: string } }[] }, finish_reason: string }[])[0]
  const base = { id: body.id, object: 'chat.completion.chunk', created: 0, model: body.model }
  const chunks: unknown[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }]
  const content = choice?.message.content ?? ''
  for (let at = 0; at < content.length; at += 16) {
    chunks.push({ ...base, choices: [{ index: 0, delta: { content: content.slice(at, at + 16) }, finish_reason: null }] })
  }
  for (const [index, call] of (choice?.message.tool_calls ?? []).entries()) {
    chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, finish_reason: null }] })
    for (let at = 0; at < call.function.arguments.length; at += 8) {
      chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: call.function.arguments.slice(at, at + 8) } }] }, finish_reason: null }] })
    }
  }
  chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: choice?.finish_reason ?? 'stop' }] })
  chunks.push({ ...base, choices: [], usage: body.usage })
  return chunks
}

export async function startReferenceServer(options: ReferenceServerOptions): Promise<ReferenceServer> {
  const byPrompt = new Map<string, Task>()
  const byId = new Map<string, Task>()
  for (const suite of options.suites) {
    for (const task of suite.categories.flatMap(category => category.tasks)) {
      byPrompt.set(task.prompt, task)
      byId.set(`${suite.id}/${task.id}`, task)
    }
  }
  for (const task of options.tasks ?? []) {
    byPrompt.set(task.prompt, task)
  }
  const requests = new Map<string, number>()
  const inFlight = new Map<string, number>()
  const peakInFlight = new Map<string, number>()
  const prompts: string[] = []
  const activity = new Map<string, { first: number, last: number }>()

  // Replies waiting out a simulated latency.
  const pending = new Set<ReturnType<typeof setTimeout>>()
  const server = createServer((request, response) => {
    const send = (status: number, payload: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(payload))
    }
    const path = (request.url ?? '').replace(/\/+$/, '')
    if (request.method === 'GET' && path.endsWith('/models')) {
      send(200, { object: 'list', data: referenceModels.map(id => ({ id, object: 'model', owned_by: 'milo-bench' })) })
      return
    }
    if (request.method !== 'POST' || !path.endsWith('/chat/completions')) {
      send(404, { error: { message: `no route ${request.method} ${path}`, type: 'not_found' } })
      return
    }
    const parts: Buffer[] = []
    request.on('data', (part: Buffer) => parts.push(part))
    request.on('end', () => {
      let body: { model?: string, messages?: ChatMessage[], tools?: { function: ToolDefinition }[], response_format?: unknown, stream?: boolean }
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8')) as typeof body
      }
      catch {
        send(400, { error: { message: 'request body is not JSON', type: 'invalid_request_error' } })
        return
      }
      const model = body.model ?? ''
      const settings = parseModelId(model, options.scripts)
      if (!settings || !Array.isArray(body.messages)) {
        send(404, { error: { message: `model '${model}' not found; the reference server plays ${referenceModels.join(', ')}`, type: 'not_found', code: 'model_not_found' } })
        return
      }
      const policyRequest: PolicyRequest = {
        messages: body.messages,
        tools: (body.tools ?? []).map(tool => tool.function),
        wantsJson: body.response_format !== undefined,
      }
      const prompt = body.messages.find(message => message.role === 'user')?.content ?? ''
      prompts.push(prompt)
      // By the task id the harness sends (x-milo-task), so an edited prompt still finds its task; by the prompt for any
      // other client.
      const taskId = request.headers['x-milo-task']
      const reply = settings.policy(policyRequest, (typeof taskId === 'string' ? byId.get(taskId) : undefined) ?? byPrompt.get(prompt))
      const turn = body.messages.filter(message => message.role === 'assistant').length
      const completion = completionBody(model, reply, tokens(JSON.stringify(body.messages)), turn)
      requests.set(model, (requests.get(model) ?? 0) + 1)
      const span = activity.get(model) ?? { first: performance.now(), last: 0 }
      activity.set(model, span)
      const current = (inFlight.get(model) ?? 0) + 1
      inFlight.set(model, current)
      peakInFlight.set(model, Math.max(peakInFlight.get(model) ?? 0, current))
      const respond = (): void => {
        inFlight.set(model, (inFlight.get(model) ?? 1) - 1)
        span.last = performance.now()
        if (response.destroyed) {
          return
        }
        if (body.stream) {
          response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
          response.end(`${streamChunks(completion).map(chunk => `data: ${JSON.stringify(chunk)}\n\n`).join('')}data: [DONE]\n\n`)
        }
        else {
          send(200, completion)
        }
      }
      const latency = settings.latencyMs ?? options.latencyMs ?? 0
      if (latency > 0) {
        // The latency is the client's to choose (`oracle,latency=...`): a pending reply must not keep a closed server's
        // process alive, so the timer is dropped on close.
        const timer = setTimeout(() => {
          pending.delete(timer)
          respond()
        }, latency)
        pending.add(timer)
      }
      else {
        respond()
      }
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    peakInFlight,
    prompts,
    activity,
    close: () => new Promise<void>((resolve) => {
      pending.forEach(timer => clearTimeout(timer))
      pending.clear()
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

// Runs an agent of the user's own on a task, in place of milo-bench's agent loop: the agent gets the prompt, the task's
// tools as OpenAI tool definitions and an `execute` bound to the simulated environment; every call it makes through
// `execute` is recorded in the same transcript the matchers check, so its run is scored like a model's.

import type { Json, JsonSchema, RecordedError, SimulatedTool, Step, Task, ToolCallRecord, ToolEnv, Transcript, Usage } from '../core/types.ts'
import { parseArguments } from '../models/normalize.ts'
import { runToolCall } from './tool-runner.ts'

/** What an agent is handed for one run of a task. */
export interface AgentInput {
  /** The user's request. */
  prompt: string
  /** The task's system prompt, when it has one. */
  system?: string
  /** The task's tools in the OpenAI chat-completions format, ready for `tools:`. */
  tools: { type: 'function', function: { name: string, description: string, parameters: JsonSchema } }[]
  /**
   * Runs one tool call against the task's simulated environment and returns its result (an error comes back as
   * `{ error, code }`, as a model would see it). Arguments as an object, or as the JSON text a model sent.
   */
  execute: (name: string, args: Record<string, unknown> | string) => Promise<unknown>
  /**
   * The simulated user: the reply to a question the agent asks when the request left a detail out, or undefined when
   * the task has none left. Each reply is given once, in order.
   */
  askUser: (question: string) => string | undefined
  /** The model the agent is bound to in the config (`model`), with its key when it needs one. */
  model?: { baseURL: string, model: string, apiKey?: string }
  /** The JSON Schema the final answer must follow, for structured-output tasks. */
  responseFormat?: { name: string, schema: JsonSchema }
  /** Aborted when the task's time budget runs out or the test ends: stop and return what you have. */
  signal: AbortSignal
}

/** What an agent returns: its final answer, and what it can tell of its own cost. */
export interface AgentOutput {
  /** The final answer given to the user (null when it has none). */
  answer: string | null
  /** Tokens the agent used, when it counts them (summed into the leaderboard's tokens and cost). */
  usage?: Usage
  /** Model time the agent spent, in ms (default: the wall time of the run). */
  latencyMs?: number
  /** Model calls the agent made (default 1). */
  modelCalls?: number
}

/** An agent: a function from a task's input to its answer. The default export of the module an agent entry names. */
export type Agent = (input: AgentInput) => Promise<AgentOutput>

interface UserAgentOptions {
  agent: Agent
  /** Project key, recorded as the transcript's model. */
  key: string
  tools: SimulatedTool[]
  env: ToolEnv
  model?: AgentInput['model']
  budgetMs?: number
  signal?: AbortSignal
}

/** Runs the agent on the task and returns the run's transcript; never throws for anything the agent does. */
export async function runUserAgent(task: Task, options: UserAgentOptions): Promise<Transcript> {
  const byName = new Map(options.tools.map(tool => [tool.name, tool]))
  const definitions = options.tools.map(({ name, description, parameters, readOnly }) => ({ name, description, parameters, ...(readOnly ? { readOnly } : {}) }))
  const transcript: Transcript = {
    taskId: task.id,
    model: options.key,
    messages: [...(task.system ? [{ role: 'system' as const, content: task.system }] : []), { role: 'user', content: task.prompt }],
    tools: definitions,
    steps: [],
    toolCalls: [],
    finalText: null,
    endReason: 'final',
    env: options.env,
    latencyMs: 0,
    usage: { inputTokens: 0, outputTokens: 0 },
    retries: 0,
  }
  const budget = new AbortController()
  const timer = options.budgetMs === undefined ? undefined : setTimeout(() => budget.abort(), options.budgetMs)
  const signal = options.signal ? AbortSignal.any([budget.signal, options.signal]) : budget.signal
  let replies = 0
  let turn = 0
  const execute = async (name: string, args: Record<string, unknown> | string): Promise<unknown> => {
    const parsed = typeof args === 'string' ? parseArguments(args) : parseArguments(JSON.stringify(args ?? {}))
    const outcome = await runToolCall(byName, name, parsed.arguments, options.env)
    // The agent's model turns are its own business: each call counts as a turn of its own, in the order made.
    const record: ToolCallRecord = { step: turn++, id: `agent-${transcript.toolCalls.length}`, name, arguments: parsed.arguments, rawArguments: parsed.rawArguments, source: 'native', outcome }
    transcript.toolCalls.push(record)
    const payload: Json = outcome.ok ? outcome.result : { error: outcome.error, code: outcome.code }
    transcript.messages.push({ role: 'tool', tool_call_id: record.id, content: JSON.stringify(payload) })
    return payload
  }
  const askUser = (question: string): string | undefined => {
    const reply = task.user?.replies[replies]
    if (reply !== undefined) {
      transcript.replies = [...(transcript.replies ?? []), turn]
      transcript.messages.push({ role: 'assistant', content: question }, { role: 'user', content: reply })
      replies++
      turn++
    }
    return reply
  }
  const started = performance.now()
  try {
    const output = await options.agent({
      prompt: task.prompt,
      ...(task.system ? { system: task.system } : {}),
      tools: definitions.map(({ name, description, parameters }) => ({ type: 'function' as const, function: { name, description, parameters } })),
      execute,
      askUser,
      ...(options.model ? { model: options.model } : {}),
      ...(task.responseFormat ? { responseFormat: task.responseFormat } : {}),
      signal,
    })
    transcript.finalText = typeof output?.answer === 'string' ? output.answer : null
    transcript.endReason = budget.signal.aborted ? 'budget' : 'final'
    finish(transcript, output, performance.now() - started)
  }
  catch (error) {
    // An agent that throws failed its run (its own bug or its model's); one cut off by its budget ran out of time.
    transcript.endReason = budget.signal.aborted ? 'budget' : 'error'
    if (!budget.signal.aborted) {
      const recorded: RecordedError = { kind: 'bad_request', message: `the agent threw: ${error instanceof Error ? error.message : String(error)}`, infrastructure: false }
      transcript.error = recorded
    }
    finish(transcript, undefined, performance.now() - started)
  }
  finally {
    clearTimeout(timer)
  }
  if (transcript.finalText !== null) {
    transcript.messages.push({ role: 'assistant', content: transcript.finalText })
  }
  return transcript
}

/** The agent's own account of its cost, as the transcript's one step (what the leaderboard's latency and tokens read). */
function finish(transcript: Transcript, output: AgentOutput | undefined, wallMs: number): void {
  const usage = output?.usage ?? { inputTokens: 0, outputTokens: 0 }
  const latencyMs = output?.latencyMs ?? wallMs
  const calls = Math.max(1, Math.round(output?.modelCalls ?? 1))
  transcript.usage = { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }
  transcript.latencyMs = latencyMs
  transcript.steps = Array.from({ length: calls }, (_, index): Step => ({
    index,
    latencyMs: latencyMs / calls,
    finishReason: index === calls - 1 ? 'stop' : 'tool_calls',
    usage: index === 0 ? transcript.usage : { inputTokens: 0, outputTokens: 0 },
    retries: 0,
    content: index === calls - 1 ? transcript.finalText : null,
    reasoning: null,
    toolCallIds: [],
    textToolCalls: 0,
  }))
}

// The agent loop: send the conversation and tools, run the simulated tools the model calls, append their results,
// and repeat until a final answer, the step cap or the time budget. Returns the run's transcript; never throws for
// anything a model or server does (errors are recorded with the reason the run ended).

import type { ModelClient } from '../models/client.ts'
import type { ChatMessage, Json, ModelSpec, SimulatedTool, Step, Task, ToolCallRecord, ToolEnv, Transcript } from '../core/types.ts'
import { BudgetExhaustedError, ModelCallError, outputTokensPerSecond } from '../models/client.ts'
import { replayArguments, uniqueCallIds } from '../models/normalize.ts'
import { presets } from '../models/presets.ts'
import { runToolCall } from './tool-runner.ts'

interface AgentOptions {
  spec: ModelSpec
  client: ModelClient
  /** The task's tools, already looked up in the catalog, in the task's order. */
  tools: SimulatedTool[]
  /** The simulated environment; mutated by the tools during the run. */
  env: ToolEnv
  /**
   * The run's time budget, in ms of model time: the HTTP exchanges of its model calls (failed attempts included), not
   * waiting for a concurrency slot, retry backoff or running tools, so a score never depends on the harness's
   * scheduling or the machine's load, and a replay from recordings ends where the recorded run did. The call in flight
   * when it runs out is aborted.
   */
  budgetMs?: number
  /** Most model calls (default: the task's `maxSteps`, else 8). */
  maxSteps?: number
  /** The test's own signal (Ctrl-C, test timeout). */
  signal?: AbortSignal
  /** Which run of the task this is, for the response cache. */
  repeat?: number
  /** `<suite>/<task>`: how the embedded reference server finds the task whatever its prompt now says. */
  taskKey?: string
}


export async function runAgent(task: Task, options: AgentOptions): Promise<Transcript> {
  const { spec, client, tools, env } = options
  const byName = new Map(tools.map(tool => [tool.name, tool]))
  const definitions = tools.map(({ name, description, parameters, readOnly }) => ({ name, description, parameters, ...(readOnly ? { readOnly } : {}) }))
  const messages: ChatMessage[] = []
  if (task.system) {
    messages.push({ role: 'system', content: task.system })
  }
  messages.push({ role: 'user', content: task.prompt })
  const transcript: Transcript = {
    taskId: options.taskKey ?? task.id,
    model: spec.key,
    messages,
    tools: definitions,
    steps: [],
    toolCalls: [],
    finalText: null,
    endReason: 'step_cap',
    env,
    latencyMs: 0,
    usage: { inputTokens: 0, outputTokens: 0 },
    retries: 0,
  }
  let spentMs = 0
  const maxSteps = options.maxSteps ?? task.maxSteps ?? 8
  const echoReasoning = presets[spec.server].echoReasoning
  const usedIds = new Set<string>()
  try {
    for (let index = 0; index < maxSteps; index++) {
      const remainingMs = options.budgetMs === undefined ? undefined : options.budgetMs - spentMs
      if (remainingMs !== undefined && remainingMs <= 0) {
        transcript.endReason = 'budget'
        return transcript
      }
      const request = { messages, tools: definitions, repeat: options.repeat ?? 0, taskId: options.taskKey ?? task.id, ...(task.responseFormat ? { responseFormat: task.responseFormat } : {}) }
      const result = await client.complete(request, options.signal, remainingMs === undefined ? undefined : { remainingMs })
      spentMs += result.activeMs
      const { reply } = result
      // Ids unique across the conversation: servers send none, "" or repeat them, and each tool result pairs with one call.
      const calls = uniqueCallIds(reply.toolCalls.length === 0 && spec.lenientTextToolCalls ? reply.textToolCalls : reply.toolCalls, usedIds)
      const content = reply.content ?? (spec.reasoning === 'keep-apart' || calls.length > 0 ? null : reply.reasoning)
      const tokensPerSecond = outputTokensPerSecond(reply.usage.outputTokens, result.latencyMs, result.ttftMs)
      const step: Step = {
        index,
        latencyMs: result.latencyMs,
        ...(result.ttftMs === undefined ? {} : { ttftMs: result.ttftMs }),
        ...(tokensPerSecond === undefined ? {} : { outputTokensPerSecond: tokensPerSecond }),
        finishReason: reply.finishReason,
        usage: reply.usage,
        retries: result.retries,
        content,
        reasoning: reply.reasoning,
        toolCallIds: calls.map(call => call.id),
        textToolCalls: reply.toolCalls.length === 0 ? reply.textToolCalls.length : 0,
        ...(result.cached ? { cached: true } : {}),
      }
      transcript.steps.push(step)
      transcript.latencyMs += result.latencyMs
      transcript.usage.inputTokens += reply.usage.inputTokens
      transcript.usage.outputTokens += reply.usage.outputTokens
      transcript.retries += result.retries
      if (calls.length === 0) {
        messages.push({ role: 'assistant', content })
        const reply = task.user?.replies[transcript.replies?.length ?? 0]
        if (reply !== undefined) {
          // The simulated user answers what the model asked (a detail the request left out), and the run goes on.
          transcript.replies = [...(transcript.replies ?? []), index]
          messages.push({ role: 'user', content: reply })
          continue
        }
        transcript.finalText = content
        transcript.endReason = 'final'
        return transcript
      }
      messages.push({
        role: 'assistant',
        content: reply.content,
        tool_calls: calls.map(call => ({ id: call.id, type: 'function', function: { name: call.name, arguments: replayArguments(call) }, ...(call.extra ? { extra_content: call.extra } : {}) })),
        ...(echoReasoning && reply.reasoning ? { reasoning_content: reply.reasoning } : {}),
      })
      for (const call of calls) {
        const outcome = await runToolCall(byName, call.name, call.arguments, env, call.argumentsError)
        const record: ToolCallRecord = { step: index, id: call.id, name: call.name, arguments: call.arguments, rawArguments: call.rawArguments, source: call.source, outcome }
        transcript.toolCalls.push(record)
        const payload: Json = outcome.ok ? outcome.result : { error: outcome.error, code: outcome.code }
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(payload) })
      }
    }
    transcript.endReason = 'step_cap'
    return transcript
  }
  catch (error) {
    if (error instanceof BudgetExhaustedError) {
      transcript.endReason = 'budget'
      return transcript
    }
    if (error instanceof ModelCallError) {
      transcript.endReason = 'error'
      transcript.error = error.recorded
      transcript.retries += error.retries
      return transcript
    }
    throw error
  }
}

// The agent loop's reasoning adapter, end to end through runAgent against a scripted loopback server: reasoning
// becomes the answer only when the content is empty and the entry does not keep it apart, and reasoning sent next to
// tool calls is never taken for an answer, neither in the transcript nor in the conversation sent back.

import type { FaultServer, FaultStep } from './support/fault-server.ts'
import type { ChatMessage, ModelSpec, Task, Transcript } from '../src/core/types.ts'
import { afterEach, describe, expect, it } from 'vitest'
import { catalog, classic, freshEnv } from '../fixtures/suites.ts'
import { offeredTools } from '../src/core/suite.ts'
import { runAgent } from '../src/runtime/agent.ts'
import { createClient } from '../src/models/client.ts'
import { okReply, startFaultServer } from './support/fault-server.ts'

const task = classic.categories.flatMap(category => category.tasks).find(t => t.id === 'weather-paris') as Task
const tools = offeredTools(task, catalog)
const entry = (baseURL: string, extra: Partial<ModelSpec> = {}): ModelSpec =>
  ({ key: 'thinker', name: 'Thinker', model: 'thinker', baseURL, server: 'vllm', where: 'local', context: { label: '128K', tokens: 131072 }, ...extra })

const servers: FaultServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(server => server.close()))
})

/** Runs the task against a server answering `script`, and returns the transcript and what the server was sent. */
async function runAgainst(script: FaultStep[], extra: Partial<ModelSpec> = {}): Promise<{ transcript: Transcript, server: FaultServer }> {
  const server = await startFaultServer(script, { error: 'the script ran out' })
  servers.push(server)
  const spec = entry(server.url, extra)
  const transcript = await runAgent(task, { spec, client: createClient(spec, { baseURL: server.url }), tools, env: freshEnv(task.env) })
  return { transcript, server }
}

const weatherCall = { id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }
/** A reply that calls get_weather with empty content and its reasoning beside the call, as thinking models send it. */
const callWithReasoning = (reasoning: string): Record<string, unknown> => ({
  ...okReply(),
  choices: [{ index: 0, message: { role: 'assistant', content: '', reasoning_content: reasoning, tool_calls: [weatherCall] }, finish_reason: 'tool_calls' }],
})
const frame = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'thinker', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

describe('runAgent: reasoning and the answer', () => {
  it('promotes reasoning to the answer when the content is empty (the default, the seed\'s adapter)', async () => {
    const { transcript } = await runAgainst([{ reply: okReply('', { reasoning_content: '42' }) }])
    expect(transcript).toMatchObject({ endReason: 'final', finalText: '42' })
    expect(transcript.steps).toHaveLength(1)
    expect(transcript.steps[0]).toMatchObject({ content: '42', reasoning: '42' })
    expect(transcript.messages.at(-1)).toEqual({ role: 'assistant', content: '42' })
  })

  it('promotes streamed reasoning the same way', async () => {
    const { transcript, server } = await runAgainst([{ sse: [
      frame({ role: 'assistant', content: '' }),
      frame({ reasoning_content: '4' }),
      frame({ reasoning_content: '2' }),
      frame({ content: '' }, 'stop'),
      'data: [DONE]\n\n',
    ] }], { stream: true })
    expect(server.requests.find(request => request.method === 'POST')?.body).toMatchObject({ stream: true })
    expect(transcript).toMatchObject({ endReason: 'final', finalText: '42' })
  })

  it('keeps reasoning apart from the answer when the entry says `reasoning: \'keep-apart\'`', async () => {
    const { transcript } = await runAgainst([{ reply: okReply('', { reasoning_content: '42' }) }], { reasoning: 'keep-apart' })
    expect(transcript).toMatchObject({ endReason: 'final', finalText: null })
    expect(transcript.steps[0]).toMatchObject({ content: null, reasoning: '42' })
  })

  it('keeps content as the answer when there is content, whatever the reasoning says', async () => {
    const { transcript } = await runAgainst([{ reply: okReply('It is 18°C in Paris.', { reasoning_content: '42' }) }])
    expect(transcript.finalText).toBe('It is 18°C in Paris.')
    expect(transcript.steps[0]?.reasoning).toBe('42')
  })

  for (const server of ['vllm', 'deepseek'] as const) {
    it(`never promotes reasoning sent next to tool calls to an answer (${server})`, async () => {
      const thought = 'The user wants the weather in Paris. I will call get_weather.'
      const { transcript, server: fault } = await runAgainst([
        { reply: callWithReasoning(thought) },
        { reply: okReply('Cloudy, 18°C.') },
      ], { server })
      expect(transcript).toMatchObject({ endReason: 'final', finalText: 'Cloudy, 18°C.' })
      expect(transcript.toolCalls.map(call => [call.name, call.arguments])).toEqual([['get_weather', { city: 'Paris' }]])
      expect(transcript.steps[0]).toMatchObject({ content: null, reasoning: thought, toolCallIds: ['call_w1'] })
      // The assistant turn sent back carries no reasoning as its content (DeepSeek gets it back as reasoning_content).
      const sent = fault.requests.filter(request => request.method === 'POST')
      expect(sent).toHaveLength(2)
      const replayed = (sent[1]?.body.messages as ChatMessage[]).find(message => message.role === 'assistant')
      expect(replayed?.content ?? null).toBeNull()
      expect(replayed?.reasoning_content).toBe(server === 'deepseek' ? thought : undefined)
      expect(transcript.messages.filter(message => message.role === 'assistant').map(message => message.content)).toEqual([null, 'Cloudy, 18°C.'])
    })
  }

  it('ends with no answer, not the reasoning, when the last reply before the step cap is calls with reasoning', async () => {
    const thought = 'Maybe the answer is 42; let me check the weather again.'
    const server = await startFaultServer([], callWithReasoning(thought))
    servers.push(server)
    const spec = entry(server.url)
    const transcript = await runAgent(task, { spec, client: createClient(spec, { baseURL: server.url }), tools, env: freshEnv(task.env), maxSteps: 2 })
    expect(transcript).toMatchObject({ endReason: 'step_cap', finalText: null })
    expect(transcript.steps.map(step => step.content)).toEqual([null, null])
  })
})

describe('runAgent: the simulated user', () => {
  it('answers the model\'s question with the task\'s scripted reply, and the run goes on to its final answer', async () => {
    const asking: Task = { ...task, id: 'ask', prompt: 'What\'s the weather?', user: { replies: ['In Paris, please.'] } }
    const server = await startFaultServer([{ reply: okReply('Which city?') }, { reply: { ...okReply(), choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [weatherCall] }, finish_reason: 'tool_calls' }] } }, { reply: okReply('18 °C and cloudy.') }], { error: 'the script ran out' })
    servers.push(server)
    const spec = entry(server.url)
    const transcript = await runAgent(asking, { spec, client: createClient(spec, { baseURL: server.url }), tools, env: freshEnv() })
    expect(transcript).toMatchObject({ endReason: 'final', finalText: '18 °C and cloudy.', replies: [0] })
    expect(transcript.messages.map(message => `${message.role}: ${message.content ?? ''}`).slice(0, 4)).toEqual(['user: What\'s the weather?', 'assistant: Which city?', 'user: In Paris, please.', 'assistant: '])
    expect(transcript.toolCalls.map(call => [call.step, call.name])).toEqual([[1, 'get_weather']])
  })
})

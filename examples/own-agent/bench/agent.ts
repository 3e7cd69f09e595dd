// An agent of our own: a plain tool-calling loop on the openai SDK. milo-bench hands it the task's prompt, its tools in
// the OpenAI format and `execute`, which runs a call against the task's simulated environment (and records it for the
// rubric); the agent returns its answer and what it spent. A reply without a tool call is either the answer or a
// question for the user (a detail the request left out): `askUser` gives the simulated user's reply, if there is one.

import type { Agent } from 'milo-bench'
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import OpenAI from 'openai'

const agent: Agent = async ({ prompt, system, tools, execute, askUser, model, responseFormat, signal }) => {
  if (!model) {
    throw new Error('this agent needs a model: set `model` on its entry in vitest.config.ts')
  }
  const client = new OpenAI({ baseURL: model.baseURL, apiKey: model.apiKey ?? 'no-key', maxRetries: 2 })
  const messages: ChatCompletionMessageParam[] = [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: prompt }]
  const usage = { inputTokens: 0, outputTokens: 0 }
  for (let call = 1; call <= 10; call++) {
    const reply = await client.chat.completions.create({
      model: model.model,
      messages,
      ...(tools.length > 0 ? { tools } : {}),
      ...(responseFormat ? { response_format: { type: 'json_schema', json_schema: { name: responseFormat.name, schema: responseFormat.schema } } } : {}),
    }, { signal })
    usage.inputTokens += reply.usage?.prompt_tokens ?? 0
    usage.outputTokens += reply.usage?.completion_tokens ?? 0
    const message = reply.choices[0]?.message
    if (!message) {
      return { answer: null, usage, modelCalls: call }
    }
    messages.push(message)
    const calls = (message.tool_calls ?? []).filter(toolCall => toolCall.type === 'function')
    if (calls.length === 0) {
      const reply = message.content ? askUser(message.content) : undefined
      if (reply === undefined) {
        return { answer: message.content, usage, modelCalls: call }
      }
      messages.push({ role: 'user', content: reply })
      continue
    }
    for (const toolCall of calls) {
      const result = await execute(toolCall.function.name, toolCall.function.arguments)
      messages.push({ role: 'tool', tool_call_id: toolCall.id, content: JSON.stringify(result) })
    }
  }
  return { answer: null, usage, modelCalls: 10 }
}

export default agent

// What a reference model sees and says: the request as the server received it, and one reply. Policies are pure.

import type { ChatMessage, SolutionTurn, Task, ToolDefinition } from '../../core/types.ts'

export interface PolicyRequest {
  messages: ChatMessage[]
  tools: ToolDefinition[]
  /** True when the request asked for `response_format` JSON. */
  wantsJson: boolean
}

export interface PolicyReply {
  content: string | null
  toolCalls: { name: string, arguments: string }[]
}

/** A reference model: from the request (and the task it recognised by its prompt, if any) to one reply. */
export type Policy = (request: PolicyRequest, task: Task | undefined) => PolicyReply

export const say = (content: string): PolicyReply => ({ content, toolCalls: [] })

/** Model turns so far: the number of assistant messages in the conversation. */
export const turnOf = (request: PolicyRequest): number => request.messages.filter(message => message.role === 'assistant').length

/** The last tool result in the conversation, parsed, or undefined. */
export function lastToolResult(request: PolicyRequest): unknown {
  const last = [...request.messages].reverse().find(message => message.role === 'tool')
  if (!last?.content) {
    return undefined
  }
  try {
    return JSON.parse(last.content)
  }
  catch {
    return last.content
  }
}

export const isToolError = (value: unknown): boolean => typeof value === 'object' && value !== null && 'error' in value

/** The user's request: the first user message. */
export const promptOf = (request: PolicyRequest): string => request.messages.find(message => message.role === 'user')?.content ?? ''

/** A solution's turn as a reply: its calls (arguments as JSON text), or its final answer passed through `final`. */
export function replay(solution: SolutionTurn[], turn: number, final: (text: string) => string = text => text): PolicyReply {
  const step = solution[Math.min(turn, solution.length - 1)]
  if (!step) {
    return say('')
  }
  if ('final' in step) {
    return say(final(step.final))
  }
  return { content: step.content ?? null, toolCalls: step.calls.map(call => ({ name: call.name, arguments: JSON.stringify(call.arguments) })) }
}

/** A final answer that is JSON (an object or an array), parsed; undefined for prose. */
export function jsonFinal(text: string): unknown {
  if (!/^\s*[{[]/.test(text)) {
    return undefined
  }
  try {
    return JSON.parse(text) as unknown
  }
  catch {
    return undefined
  }
}

/** Whether the prompt asks for JSON and nothing else ("reply with only a JSON object", "the JSON only"). */
export const asksForJsonOnly = (prompt: string): boolean => /\b(?:only|just)\b[^.]{0,40}\bjson\b|\bjson\b[^.]{0,20}\bonly\b/i.test(prompt)

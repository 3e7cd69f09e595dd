// What a reference model sees and says: the request as the server received it, and one reply. Policies are pure.

import type { ChatMessage, Task, ToolDefinition } from '../types.ts'

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

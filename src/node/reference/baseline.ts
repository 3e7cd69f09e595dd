// The baseline: no model, just a keyword heuristic. It picks the tool whose name and description share the most words
// with the prompt, fills arguments with regular expressions, retries a failing call once unchanged, and answers with
// the last result. It never plans a second step, so it shows the floor a real model must beat.

import type { JsonSchema, ToolDefinition } from '../../core/types.ts'
import type { Policy, PolicyRequest } from './policy.ts'
import { isToolError, lastToolResult, say } from './policy.ts'

const stopWords = new Set(['the', 'and', 'for', 'with', 'what', 'from', 'this', 'that', 'into', 'your', 'you', 'get', 'are', 'its', 'now', 'use', 'one', 'all', 'how', 'which', 'then', 'their', 'them', 'when', 'not', 'has', 'have', 'can', 'out', 'our', 'per', 'any'])

/** Lower-case words of 3+ letters, with a crude plural/tense stem so "orders" meets "order". */
export function keywords(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/)
    .filter(word => word.length > 2 && !stopWords.has(word))
    .map(word => word.replace(/(?:ies|es|s|ed|ing)$/, ''))
}

function pickTool(prompt: string, tools: ToolDefinition[]): ToolDefinition | undefined {
  const words = new Set(keywords(prompt))
  let best: ToolDefinition | undefined
  let bestScore = -1
  for (const tool of tools) {
    const nameWords = keywords(tool.name.replace(/_/g, ' '))
    const score = nameWords.filter(word => words.has(word)).length * 2 + keywords(tool.description).filter(word => words.has(word)).length
    if (score > bestScore) {
      best = tool
      bestScore = score
    }
  }
  return best
}

const first = (pattern: RegExp, text: string): string | undefined => pattern.exec(text)?.[1]

function guessString(name: string, schema: JsonSchema, prompt: string): string | undefined {
  const key = name.toLowerCase()
  const enumValues = Array.isArray(schema.enum) ? (schema.enum as string[]) : undefined
  if (enumValues) {
    return enumValues.find(value => prompt.toLowerCase().includes(value.toLowerCase()))
  }
  if (key.includes('email')) {
    return first(/([\w.+-]+@[\w-]+\.[\w.]+)/, prompt)
  }
  if (key.includes('date')) {
    return first(/(\d{4}-\d{2}-\d{2})/, prompt)
  }
  if (key === 'time') {
    return first(/\b(\d{2}:\d{2})\b/, prompt)
  }
  if (key.includes('phone')) {
    return first(/(\+\d{8,15})/, prompt)
  }
  if (key.includes('path')) {
    return first(/(\/[\w./-]+\w)/, prompt)
  }
  if (key.includes('url')) {
    return first(/(https?:\/\/\S+\w)/, prompt)
  }
  if (key.includes('timezone')) {
    return first(/\b([A-Z][a-z]+\/[A-Z][\w]+)\b/, prompt)
  }
  if (key.endsWith('_id') || key === 'id' || key.includes('number')) {
    return first(/\b([A-Z]{2,4}-\d+|1Z\w+)\b/, prompt)
  }
  if (key.includes('currency')) {
    const codes = [...prompt.matchAll(/\b([A-Z]{3})\b/g)].map(match => match[1])
    return key.startsWith('to') ? codes[1] : codes[0]
  }
  if (key.includes('symbol')) {
    return first(/\b([A-Z]{2,5})\b/, prompt)
  }
  if (key.includes('unit')) {
    const units = [...prompt.matchAll(/\b(km|mi|miles?|kilomet\w+|kg|lb|pounds?|m|ft|feet|c|f|l|ml|gal)\b/gi)].map(match => match[1]?.toLowerCase())
    return key.startsWith('to') ? units[1] : units[0]
  }
  if (key.includes('city') || key.includes('location')) {
    return first(/\b(?:in|for|at)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)/, prompt)
  }
  return first(/"([^"]+)"/, prompt) ?? first(/:\s*(.+)$/, prompt) ?? prompt
}

/** Regex arguments for every property the schema declares (required ones always, optional ones when found). */
function guessArguments(tool: ToolDefinition, prompt: string): Record<string, unknown> {
  const properties = (tool.parameters.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set((tool.parameters.required as string[] | undefined) ?? [])
  const args: Record<string, unknown> = {}
  for (const [name, schema] of Object.entries(properties)) {
    let value: unknown
    if (schema.type === 'number' || schema.type === 'integer') {
      const found = first(/(-?\d+(?:\.\d+)?)/, prompt.replace(/\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|[A-Z]{2,4}-\d+/g, ''))
      value = found === undefined ? undefined : schema.type === 'integer' ? Math.round(Number(found)) : Number(found)
    }
    else if (schema.type === 'array') {
      const emails = [...prompt.matchAll(/([\w.+-]+@[\w-]+\.[\w.]+)/g)].map(match => match[1])
      value = emails.length > 0 ? emails : undefined
    }
    else {
      value = guessString(name, schema, prompt)
    }
    if (value !== undefined || required.has(name)) {
      args[name] = value ?? ''
    }
  }
  return args
}

export const baseline: Policy = (request: PolicyRequest) => {
  const prompt = request.messages.find(message => message.role === 'user')?.content ?? ''
  const toolMessages = request.messages.filter(message => message.role === 'tool')
  const previous = lastToolResult(request)
  if (toolMessages.length === 0) {
    const tool = pickTool(prompt, request.tools)
    if (!tool) {
      return say(request.wantsJson ? '{}' : 'I have no tool for this.')
    }
    return { content: null, toolCalls: [{ name: tool.name, arguments: JSON.stringify(guessArguments(tool, prompt)) }] }
  }
  if (isToolError(previous) && toolMessages.length === 1) {
    const call = [...request.messages].reverse().find(message => message.role === 'assistant')?.tool_calls?.[0]
    if (call) {
      return { content: null, toolCalls: [{ name: call.function.name, arguments: call.function.arguments }] }
    }
  }
  const result = JSON.stringify(previous)
  return say(request.wantsJson ? result : `Result: ${result}`)
}

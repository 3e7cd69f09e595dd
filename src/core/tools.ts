// Building blocks for simulated tools (the built-in families use them, and so can a user's): JSON Schema shorthands,
// uniform results and errors, typed access to the environment's state, and a family's tools with the state they own.

import type { Json, JsonSchema, SimulatedTool, ToolEnv, ToolOutcome } from './types.ts'

/** A tool family: its tools and the default state its tools read (a task's `env` overrides it key by key). */
export interface ToolFamily {
  tools: SimulatedTool[]
  /** The state the family owns, as a fresh run starts it. */
  defaults: ToolEnv
  /** Top-level state keys of other families its tools read too (the DevOps shell reads the workspace's `files`). */
  reads?: string[]
}

export const ok = (result: Json): ToolOutcome => ({ ok: true, result })
export const fail = (code: string, error: string): ToolOutcome => ({ ok: false, code, error })

/** An object schema with every listed property required unless named in `optional`. */
export function params(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return { type: 'object', properties, required: Object.keys(properties).filter(key => !optional.includes(key)) }
}

export const string = (description: string): JsonSchema => ({ type: 'string', description })
export const number = (description: string): JsonSchema => ({ type: 'number', description })
export const integer = (description: string): JsonSchema => ({ type: 'integer', description })
export const oneOf = (values: string[], description: string): JsonSchema => ({ type: 'string', enum: values, description })
export const list = (items: JsonSchema, description: string): JsonSchema => ({ type: 'array', items, description })

/** The object at `env[key]`, created when missing, so tools can read and write their own state. */
export function state(env: ToolEnv, key: string): Record<string, Json> {
  const value = env[key]
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value
  }
  const fresh: Record<string, Json> = {}
  env[key] = fresh
  return fresh
}

/** The array at `record[key]`, created when missing. */
export function array(record: Record<string, Json>, key: string): Json[] {
  const value = record[key]
  if (Array.isArray(value)) {
    return value
  }
  const fresh: Json[] = []
  record[key] = fresh
  return fresh
}

/** `record[key]` only when the key is the record's own: a model's argument must never reach `toString` or `__proto__`. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

export const asRecord = (value: Json | undefined): Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}

/** Case- and space-insensitive key, so "new york" finds "New York". */
export const fold = (text: string): string => text.trim().toLowerCase().replace(/\s+/g, ' ')

/** The next id of a counter kept in the environment: `EVT-0001`, `EVT-0002`, ... */
export function nextId(record: Record<string, Json>, prefix: string): string {
  const n = (typeof record.next_id === 'number' ? record.next_id : 1)
  record.next_id = n + 1
  return `${prefix}-${String(n).padStart(4, '0')}`
}

export const isDate = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
export const isTime = (value: string): boolean => /^(?:[01]\d|2[0-3]):[0-5]\d$/.test(value)
export const isEmail = (value: string): boolean => /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(value)

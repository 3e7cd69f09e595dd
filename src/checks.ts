// The deterministic checks behind the matchers: pure functions from a transcript (and what was expected) to a
// pass, a share of credit and a one-line reason. Rubrics are built from these; nothing here reads a clock.

import type { Json, JsonSchema, ToolCallRecord, Transcript } from './types.ts'
import { validate } from './tools.ts'

export interface CheckOutcome {
  pass: boolean
  /** Share of credit, 0 to 1. */
  score: number
  message: string
}

const outcome = (score: number, message: string): CheckOutcome => ({ pass: score >= 1, score: Math.max(0, Math.min(1, score)), message })

export type ArgumentMatch = 'partial' | 'exact'

/**
 * Whether an actual argument value satisfies the expected one. `partial` (the default) compares strings trimmed and
 * case-insensitively, numbers within 1e-6 relative, arrays as multisets and objects by the expected keys only.
 * `{ "$anyOf": [...] }` accepts any of several values. `exact` requires the same JSON.
 */
export function valueMatches(expected: Json | undefined, actual: Json | undefined, match: ArgumentMatch = 'partial'): boolean {
  if (match === 'exact') {
    return canonical(expected) === canonical(actual)
  }
  const alternatives = anyOf(expected)
  if (alternatives) {
    return alternatives.some(alternative => valueMatches(alternative, actual, match))
  }
  if (typeof expected === 'string') {
    return typeof actual === 'string' && expected.trim().toLowerCase() === actual.trim().toLowerCase()
  }
  if (typeof expected === 'number') {
    const value = typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : actual
    return typeof value === 'number' && Math.abs(expected - value) <= 1e-6 * Math.max(1, Math.abs(expected))
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return false
    }
    const left = [...actual]
    return expected.every((item) => {
      const at = left.findIndex(candidate => valueMatches(item, candidate, match))
      return at !== -1 && left.splice(at, 1).length === 1
    })
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return false
    }
    return Object.entries(expected).every(([key, value]) => valueMatches(value, actual[key], match))
  }
  return expected === actual
}

/** Fixtures write `{ "$anyOf": ["mi", "miles"] }` where several values are equally right. */
function anyOf(expected: Json | undefined): Json[] | undefined {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected) && Array.isArray(expected.$anyOf)) {
    return expected.$anyOf
  }
  return undefined
}

/** JSON with sorted keys, so equal objects print equal. */
export function canonical(value: Json | undefined): string {
  if (value === undefined) {
    return 'undefined'
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`
  }
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map(key => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** Share of the expected arguments a call got right. */
export function argumentScore(expected: Record<string, Json>, call: ToolCallRecord, match: ArgumentMatch = 'partial'): number {
  const keys = Object.keys(expected)
  if (call.arguments === null) {
    return 0
  }
  if (match === 'exact') {
    return canonical(call.arguments) === canonical(expected) ? 1 : 0
  }
  if (keys.length === 0) {
    return 1
  }
  const args = call.arguments
  return keys.filter(key => valueMatches(expected[key], args[key], match)).length / keys.length
}

export function describeCall(call: ToolCallRecord): string {
  return `${call.name}(${call.arguments === null ? `<unparseable: ${call.rawArguments.slice(0, 60)}>` : JSON.stringify(call.arguments)})`
}

export function describeCalls(transcript: Transcript): string {
  const calls = transcript.toolCalls.map(describeCall)
  const text = transcript.steps.reduce((n, step) => n + step.textToolCalls, 0)
  const suffix = text > 0 ? ` (+${text} written as text, not counted)` : ''
  return calls.length === 0 ? `no tool calls${suffix}` : `${calls.join(', ')}${suffix}`
}

export interface CallsToolOptions {
  /** How arguments are compared (default `partial`). */
  match?: ArgumentMatch
  /** `first`: the first call must be this tool; `only`: no other tool may be called; `any` (default). */
  position?: 'any' | 'first' | 'only'
}

/** The model called `name` (with `args`, when given). Partial credit: the best call's share of right arguments. */
export function callsTool(transcript: Transcript, name: string, args?: Record<string, Json>, options: CallsToolOptions = {}): CheckOutcome {
  const position = options.position ?? 'any'
  const calls = transcript.toolCalls
  const candidates = position === 'first' ? calls.slice(0, 1).filter(call => call.name === name) : calls.filter(call => call.name === name)
  const made = describeCalls(transcript)
  if (candidates.length === 0) {
    return outcome(0, `expected a call to ${name}${position === 'first' ? ' first' : ''}; made ${made}`)
  }
  if (position === 'only') {
    const others = calls.filter(call => call.name !== name)
    if (others.length > 0) {
      return outcome(0, `expected only ${name} to be called; also called ${others.map(call => call.name).join(', ')}`)
    }
  }
  if (args === undefined) {
    return outcome(1, `called ${name}`)
  }
  const scored = candidates.map(call => ({ call, score: argumentScore(args, call, options.match) }))
  const best = scored.reduce((a, b) => (b.score > a.score ? b : a))
  return best.score >= 1
    ? outcome(1, `called ${describeCall(best.call)}`)
    : outcome(best.score, `expected ${name}(${JSON.stringify(args)}); closest was ${describeCall(best.call)}`)
}

/** Every tool call (or every call to `name`) has arguments that parse and validate against the tool's schema. */
export function hasValidArguments(transcript: Transcript, name?: string): CheckOutcome {
  const calls = transcript.toolCalls.filter(call => name === undefined || call.name === name)
  if (calls.length === 0) {
    return outcome(0, name === undefined ? 'no tool calls to validate' : `no call to ${name} to validate`)
  }
  const problems: string[] = []
  for (const call of calls) {
    const tool = transcript.tools.find(t => t.name === call.name)
    if (!tool) {
      problems.push(`${call.name}: not an offered tool`)
    }
    else if (call.arguments === null) {
      problems.push(`${call.name}: arguments are not a JSON object`)
    }
    else {
      const { valid, errors } = validate(tool.parameters, call.arguments)
      if (!valid) {
        problems.push(`${call.name}: ${errors.join('; ')}`)
      }
    }
  }
  const validShare = (calls.length - problems.length) / calls.length
  return outcome(validShare, problems.length === 0 ? `${calls.length} call(s) valid against their schemas` : problems.join(' | '))
}

/** The named tools were called in this order (other calls may come between). Partial: the share of the order kept. */
export function callsInOrder(transcript: Transcript, names: string[]): CheckOutcome {
  let at = 0
  for (const call of transcript.toolCalls) {
    if (at < names.length && call.name === names[at]) {
      at++
    }
  }
  return outcome(names.length === 0 ? 1 : at / names.length, at === names.length
    ? `called ${names.join(' -> ')} in order`
    : `expected ${names.join(' -> ')}; got as far as ${at} of ${names.length}; made ${describeCalls(transcript)}`)
}

export interface ChainStep {
  tool: string
  /** Argument values the step must carry; in a data-flow chain these come from the previous step's result. */
  args?: Record<string, Json>
}

/**
 * A chain with data flow: each step is a successful call with the expected arguments, made in a later model turn
 * than the step before it (its inputs come from that step's result). Partial credit: the share of steps done in order.
 */
export function followsChain(transcript: Transcript, steps: ChainStep[]): CheckOutcome {
  let previousStep = -1
  let done = 0
  for (const step of steps) {
    const call = transcript.toolCalls.find(candidate => candidate.name === step.tool
      && candidate.step > previousStep
      && candidate.outcome?.ok === true
      && (step.args === undefined || argumentScore(step.args, candidate) >= 1))
    if (!call) {
      break
    }
    previousStep = call.step
    done++
  }
  const missing = steps[done]
  return outcome(steps.length === 0 ? 1 : done / steps.length, missing === undefined
    ? `completed all ${steps.length} steps`
    : `completed ${done} of ${steps.length} steps; missing ${missing.tool}(${JSON.stringify(missing.args ?? {})}) after step ${done}; made ${describeCalls(transcript)}`)
}

/** The final answer mentions each expected fragment (case-insensitive). Partial: the share mentioned. */
export function answerIncludes(transcript: Transcript, fragments: string[]): CheckOutcome {
  const text = (transcript.finalText ?? '').toLowerCase()
  if (transcript.finalText === null) {
    return outcome(0, `no final answer (run ended: ${transcript.endReason})`)
  }
  const found = fragments.filter(fragment => text.includes(fragment.toLowerCase()))
  const missing = fragments.filter(fragment => !found.includes(fragment))
  return outcome(fragments.length === 0 ? 1 : found.length / fragments.length, missing.length === 0
    ? `answer mentions ${fragments.map(f => JSON.stringify(f)).join(', ')}`
    : `answer does not mention ${missing.map(f => JSON.stringify(f)).join(', ')}: ${JSON.stringify((transcript.finalText ?? '').slice(0, 160))}`)
}

export type JsonAnswerForm = 'bare' | 'fenced' | 'embedded' | 'none'

/** Reads the final answer as JSON: bare JSON, JSON in a code fence, JSON inside prose, or none. */
export function readJsonAnswer(text: string | null): { form: JsonAnswerForm, value: Json | undefined } {
  if (text === null) {
    return { form: 'none', value: undefined }
  }
  const tryParse = (candidate: string): Json | undefined => {
    try {
      return JSON.parse(candidate) as Json
    }
    catch {
      return undefined
    }
  }
  const bare = tryParse(text.trim())
  if (bare !== undefined && typeof bare === 'object') {
    return { form: 'bare', value: bare }
  }
  const fence = /```(?:json)?\s*([\s\S]*?)```/.exec(text)
  const fenced = fence ? tryParse((fence[1] ?? '').trim()) : undefined
  if (fenced !== undefined && typeof fenced === 'object') {
    return { form: 'fenced', value: fenced }
  }
  const start = text.search(/[{[]/)
  const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'))
  const embedded = start !== -1 && end > start ? tryParse(text.slice(start, end + 1)) : undefined
  if (embedded !== undefined && typeof embedded === 'object') {
    return { form: 'embedded', value: embedded }
  }
  return { form: 'none', value: undefined }
}

/** The final answer is bare JSON (1); JSON wrapped in a code fence or prose is a distinct, lower outcome (0.5). */
export function answersWithJson(transcript: Transcript): CheckOutcome {
  const { form } = readJsonAnswer(transcript.finalText)
  switch (form) {
    case 'bare': return outcome(1, 'answer is bare JSON')
    case 'fenced': return outcome(0.5, 'answer is JSON wrapped in a code fence')
    case 'embedded': return outcome(0.5, 'answer is JSON wrapped in prose')
    default: return outcome(0, `answer is not JSON: ${JSON.stringify((transcript.finalText ?? '').slice(0, 120))}`)
  }
}

/**
 * A value validates against a JSON Schema. Partial credit for objects: the share of the schema's properties that are
 * present when required and valid; every violation is listed.
 */
export function matchesSchema(value: unknown, schema: JsonSchema): CheckOutcome {
  const { valid, errors } = validate(schema, value)
  if (valid) {
    return outcome(1, 'valid against the schema')
  }
  const properties = schema.properties as Record<string, JsonSchema> | undefined
  let score = 0
  if (properties && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>
    const required = new Set((schema.required as string[] | undefined) ?? [])
    const keys = Object.keys(properties)
    const good = keys.filter(key => (record[key] === undefined ? !required.has(key) : validate(properties[key] ?? {}, record[key]).valid))
    score = keys.length === 0 ? 0 : good.length / keys.length
  }
  return outcome(score, `${errors.length} violation(s): ${errors.join('; ')}`)
}

/** No failing call was repeated with the same arguments. Partial: 1 / (1 + repeats). */
export function avoidsRepeatedFailures(transcript: Transcript): CheckOutcome {
  const failed = new Set<string>()
  let repeats = 0
  let example = ''
  for (const call of transcript.toolCalls) {
    const key = `${call.name}:${canonical(call.arguments ?? call.rawArguments)}`
    if (failed.has(key)) {
      repeats++
      example ||= describeCall(call)
    }
    if (call.outcome && !call.outcome.ok) {
      failed.add(key)
    }
  }
  return outcome(1 / (1 + repeats), repeats === 0 ? 'no failing call repeated unchanged' : `repeated a failing call unchanged ${repeats} time(s), e.g. ${example}`)
}

/** The model did not call any of these tools (distractors, destructive actions). */
export function avoidsTools(transcript: Transcript, names: string[]): CheckOutcome {
  const bad = transcript.toolCalls.filter(call => names.includes(call.name))
  return outcome(bad.length === 0 ? 1 : 0, bad.length === 0 ? `did not call ${names.join(', ')}` : `called ${bad.map(describeCall).join(', ')}`)
}

/**
 * At most `minimal` tool calls were made. Partial credit: minimal / calls made (so one extra call on a 2-call task
 * scores 2/3); no calls at all scores 0.
 */
export function usesAtMostCalls(transcript: Transcript, minimal: number): CheckOutcome {
  const made = transcript.toolCalls.length
  if (made === 0 && minimal > 0) {
    return outcome(0, 'made no tool calls')
  }
  return outcome(made <= minimal ? 1 : minimal / made, made <= minimal ? `${made} call(s), within the minimum of ${minimal}` : `${made} calls where ${minimal} suffice`)
}

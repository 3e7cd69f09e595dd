// The deterministic checks behind the matchers: pure functions from a transcript (and what was expected) to a
// pass, a share of credit and a one-line reason. Rubrics are built from these; nothing here reads a clock.

import type { AnswerSpec, Fact } from './answers.ts'
import type { FileChange, Json, JsonSchema, ToolCallRecord, ToolEnv, Transcript } from './types.ts'
import { asksSomething, fold, judgeAnswer, readPath, states } from './answers.ts'
import { validate } from './validate.ts'

export interface CheckOutcome {
  pass: boolean
  /** Share of credit, 0 to 1. */
  score: number
  message: string
}

const outcome = (score: number, message: string): CheckOutcome => ({ pass: score >= 1, score: Math.max(0, Math.min(1, score)), message })

export type ArgumentMatch = 'partial' | 'exact'

/**
 * Whether an actual argument value satisfies the expected one. `partial` (the default) compares strings folded (case,
 * Unicode dashes and quotes, spacing: answers.ts fold), numbers within 1e-6 relative, arrays as multisets and objects
 * by the expected keys only. `{ "$anyOf": [...] }` accepts any of several values; `{ "$near": 787.5, "tolerance":
 * 0.02 }` a number within the tolerance; `{ "$includes": ["11:30", "EVT-0003"] }` a string holding each text (folded).
 * `exact` requires the same JSON.
 */
export function valueMatches(expected: Json | undefined, actual: Json | undefined, match: ArgumentMatch = 'partial'): boolean {
  if (match === 'exact') {
    return canonical(expected) === canonical(actual)
  }
  const alternatives = anyOf(expected)
  if (alternatives) {
    return alternatives.some(alternative => valueMatches(alternative, actual, match))
  }
  const includes = includesOf(expected)
  if (includes) {
    return typeof actual === 'string' && includes.every(text => fold(actual).includes(fold(text)))
  }
  const near = nearOf(expected)
  if (near) {
    const value = typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : actual
    return typeof value === 'number' && Math.abs(value - near.value) <= near.tolerance
  }
  if (typeof expected === 'string') {
    return typeof actual === 'string' && fold(expected) === fold(actual)
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

/** Fixtures write `{ "$includes": "text" }` or `{ "$includes": ["a", "b"] }` for a string that must contain each text. */
function includesOf(expected: Json | undefined): string[] | undefined {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected) && '$includes' in expected) {
    const texts = expected.$includes
    return Array.isArray(texts) ? texts.map(String) : [String(texts)]
  }
  return undefined
}

/**
 * Expected values may point into the run's end state, `{ "$state": "calendar.events[title=Vendor review].id" }`, so a
 * task never writes twice an id the run creates (answers.ts readPath). Resolved against the env before comparing; a
 * path the state does not hold becomes a value nothing matches.
 */
export function resolveRefs<T extends Json>(value: T, env: ToolEnv): T {
  if (Array.isArray(value)) {
    return value.map(item => resolveRefs(item, env)) as T
  }
  if (value !== null && typeof value === 'object') {
    if (typeof value.$state === 'string' && Object.keys(value).length === 1) {
      return (readPath(env, value.$state) ?? `<nothing at ${value.$state}>`) as T
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveRefs(inner, env)])) as T
  }
  return value
}

/** Fixtures write `{ "$near": 787.5, "tolerance": 0.02 }` for a number that may be rounded differently. */
function nearOf(expected: Json | undefined): { value: number, tolerance: number } | undefined {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected) && typeof expected.$near === 'number') {
    return { value: expected.$near, tolerance: typeof expected.tolerance === 'number' ? expected.tolerance : 1e-6 }
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
  /**
   * `first`: the first call must be this tool; `only`: no other tool may be called; `no-effects`: any other call must
   * be to a read-only tool (a careful lookup is fine, a distractor that changes something is not); `any` (default).
   */
  position?: 'any' | 'first' | 'only' | 'no-effects'
}

/** Whether a call's tool changes nothing (the definition says `readOnly`). Unknown tools count as having effects. */
function readOnly(transcript: Transcript, name: string): boolean {
  return transcript.tools.find(tool => tool.name === name)?.readOnly === true
}

/** The model called `name` (with `args`, when given). Partial credit: the best call's share of right arguments. */
export function callsTool(transcript: Transcript, name: string, expectedArgs?: Record<string, Json>, options: CallsToolOptions = {}): CheckOutcome {
  const args = expectedArgs === undefined ? undefined : resolveRefs(expectedArgs, transcript.env)
  const position = options.position ?? 'any'
  const calls = transcript.toolCalls
  const candidates = position === 'first' ? calls.slice(0, 1).filter(call => call.name === name) : calls.filter(call => call.name === name)
  const made = describeCalls(transcript)
  if (candidates.length === 0) {
    return outcome(0, `expected a call to ${name}${position === 'first' ? ' first' : ''}; made ${made}`)
  }
  if (position === 'only' || position === 'no-effects') {
    const others = calls.filter(call => call.name !== name && (position === 'only' || !readOnly(transcript, call.name)))
    if (others.length > 0) {
      return outcome(0, position === 'only'
        ? `expected only ${name} to be called; also called ${others.map(call => call.name).join(', ')}`
        : `expected no tool with effects but ${name}; also called ${others.map(describeCall).join(', ')}`)
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

/**
 * One step of a chain, as fixtures write it: a call to `tool` (with `args`, when given; whose result states `returns`,
 * when given: the data the next step needs), or `anyOf` several such calls, any of which does the step.
 */
export type ChainStep =
  | { tool: string, args?: Record<string, Json>, returns?: Fact }
  | { anyOf: ChainStep[] }

const callStepSchema = { type: 'object', required: ['tool'], additionalProperties: false, properties: { tool: { type: 'string', minLength: 1 }, args: { type: 'object' }, returns: {} } }

/** The shape of a ChainStep in task data (JSON Schema); `anyOf` alternatives are calls. */
export const chainStepSchema = {
  anyOf: [callStepSchema, { type: 'object', required: ['anyOf'], additionalProperties: false, properties: { anyOf: { type: 'array', minItems: 1, items: callStepSchema } } }],
}

const alternativesOf = (step: ChainStep): { tool: string, args?: Record<string, Json>, returns?: Fact }[] => ('anyOf' in step ? step.anyOf.flatMap(alternativesOf) : [step])

const resultText = (call: ToolCallRecord): string => (call.outcome?.ok === true ? JSON.stringify(call.outcome.result) : '')

/** Whether a call does a chain step: the tool, the arguments, a success, and the data the step must bring back. */
function doesStep(call: ToolCallRecord, step: ChainStep): boolean {
  return alternativesOf(step).some(alternative => call.name === alternative.tool
    && call.outcome?.ok === true
    && (alternative.args === undefined || argumentScore(alternative.args, call) >= 1)
    && (alternative.returns === undefined || states(resultText(call), alternative.returns)))
}

export const describeStep = (step: ChainStep): string => alternativesOf(step).map(alternative => `${alternative.tool}(${JSON.stringify(alternative.args ?? {})})`).join(' or ')

/**
 * A chain with data flow: each step is a successful call with the expected arguments, made in a later model turn
 * than the step before it (its inputs come from that step's result). Partial credit: the share of steps done in order.
 */
export function followsChain(transcript: Transcript, chain: ChainStep[]): CheckOutcome {
  const steps = resolveRefs(chain as unknown as Json, transcript.env) as unknown as ChainStep[]
  let previousStep = -1
  let done = 0
  for (const step of steps) {
    const call = transcript.toolCalls.find(candidate => candidate.step > previousStep && doesStep(candidate, step))
    if (!call) {
      break
    }
    previousStep = call.step
    done++
  }
  const missing = steps[done]
  return outcome(steps.length === 0 ? 1 : done / steps.length, missing === undefined
    ? `completed all ${steps.length} steps`
    : `completed ${done} of ${steps.length} steps; missing ${describeStep(missing)} after step ${done}; made ${describeCalls(transcript)}`)
}

/** What the run saw: the system prompt, the user's messages and every tool result (errors included), as one text. */
export function seenText(transcript: Transcript): string {
  return transcript.messages.filter(message => message.role !== 'assistant').map(message => message.content ?? '').join('\n')
}

/**
 * The final answer states what it must (answers.ts judgeAnswer: facts by meaning, from the end state or the tool
 * results, each paired with its entity when it has one) and nothing false: a wrong fact, an action the end state
 * contradicts, an id nobody showed. Partial: the share of facts stated; 0 for anything false.
 */
export function answerStates(transcript: Transcript, spec: AnswerSpec): CheckOutcome {
  if (transcript.finalText === null) {
    return outcome(0, `no final answer (run ended: ${transcript.endReason})`)
  }
  const verdict = judgeAnswer(transcript.finalText, spec, { env: transcript.env, seen: seenText(transcript), holds: pattern => reachesState(transcript.env, pattern).pass })
  return outcome(verdict.score, verdict.message)
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
  if (bare !== undefined && bare !== null && typeof bare === 'object') {
    return { form: 'bare', value: bare }
  }
  const fence = /```(?:json)?\s*([\s\S]*?)```/.exec(text)
  const fenced = fence ? tryParse((fence[1] ?? '').trim()) : undefined
  if (fenced !== undefined && fenced !== null && typeof fenced === 'object') {
    return { form: 'fenced', value: fenced }
  }
  const start = text.search(/[{[]/)
  const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'))
  const embedded = start !== -1 && end > start ? tryParse(text.slice(start, end + 1)) : undefined
  if (embedded !== undefined && embedded !== null && typeof embedded === 'object') {
    return { form: 'embedded', value: embedded }
  }
  return { form: 'none', value: undefined }
}

/**
 * The final answer is JSON in the form the prompt asked for. `only` (the prompt asks for JSON alone: "reply with only
 * a JSON object"): bare JSON earns 1, JSON in a code fence or prose a distinct, lower 0.5. Otherwise ("as JSON") any
 * form that holds the JSON earns 1.
 */
export function answersWithJson(transcript: Transcript, only = true): CheckOutcome {
  const { form } = readJsonAnswer(transcript.finalText)
  switch (form) {
    case 'bare': return outcome(1, 'answer is bare JSON')
    case 'fenced': return outcome(only ? 0.5 : 1, only ? 'answer is JSON wrapped in a code fence, where the prompt asked for JSON alone' : 'answer holds JSON in a code fence (the prompt did not ask for JSON alone)')
    case 'embedded': return outcome(only ? 0.5 : 1, only ? 'answer is JSON wrapped in prose, where the prompt asked for JSON alone' : 'answer holds JSON in prose (the prompt did not ask for JSON alone)')
    default: return outcome(0, `answer is not JSON: ${JSON.stringify((transcript.finalText ?? '').slice(0, 120))}`)
  }
}

/**
 * The final answer, read as JSON (bare, fenced or in prose: its form is toAnswerWithJson's business), is an object
 * holding these values, compared as `valueMatches` does (partial). Partial credit: the share of expected keys right.
 * `requires`: tools the prompt says to use; values not obtained from them (no successful call) earn nothing.
 */
export function jsonAnswerMatches(transcript: Transcript, expected: Record<string, Json>, requires: string[] = []): CheckOutcome {
  const { value } = readJsonAnswer(transcript.finalText)
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    return outcome(0, `the final answer holds no JSON object: ${JSON.stringify((transcript.finalText ?? '').slice(0, 120))}`)
  }
  const unused = requires.filter(name => !transcript.toolCalls.some(call => call.name === name && call.outcome?.ok === true))
  if (unused.length > 0) {
    return outcome(0, `the values must come from ${unused.join(', ')}, which the run never called successfully`)
  }
  const keys = Object.keys(expected)
  const wrong = keys.filter(key => !valueMatches(expected[key], value[key]))
  return outcome(keys.length === 0 ? 1 : (keys.length - wrong.length) / keys.length, wrong.length === 0
    ? `answer JSON has the right ${keys.join(', ')}`
    : `answer JSON has ${wrong.map(key => `${key} = ${JSON.stringify(value[key] ?? null)} where ${JSON.stringify(expected[key])} was expected`).join('; ')}`)
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
    // Keys the schema names, plus keys it forbids (additionalProperties: false) or requires without describing.
    const extra = schema.additionalProperties === false ? Object.keys(record).filter(key => !(key in properties)) : []
    const undescribed = [...required].filter(key => !(key in properties))
    const keys = [...Object.keys(properties), ...extra, ...undescribed]
    const good = Object.keys(properties).filter(key => (record[key] === undefined ? !required.has(key) : validate(properties[key] ?? {}, record[key]).valid))
      .concat(undescribed.filter(key => record[key] !== undefined))
    // An invalid value never earns full credit, whatever the violation.
    score = keys.length === 0 ? 0 : Math.min(good.length / keys.length, (keys.length - 1) / keys.length)
  }
  return outcome(score, `${errors.length} violation(s): ${errors.join('; ')}`)
}

/** Unchanged retries of a call whose failure says to retry (rate limited, temporarily down) that are fine. */
export const transientRetries = 2

/**
 * No failing call was repeated unchanged, by the kind of its error: a failure the tool says is transient (`retryable`:
 * rate limited, temporarily unavailable) may be retried unchanged up to `transientRetries` times; any other failure
 * (a bad format, not found, sold out) repeated unchanged is a repeat. Partial: 1 / (1 + repeats).
 */
export function avoidsRepeatedFailures(transcript: Transcript): CheckOutcome {
  const failures = new Map<string, { retryable: boolean, retries: number }>()
  let repeats = 0
  let example = ''
  for (const call of transcript.toolCalls) {
    const key = `${call.name}:${canonical(call.arguments ?? call.rawArguments)}`
    const before = failures.get(key)
    if (before) {
      before.retries++
      if (!before.retryable || before.retries > transientRetries) {
        repeats++
        example ||= `${describeCall(call)} after ${before.retryable ? `${transientRetries} retries` : 'a failure that retrying cannot fix'}`
      }
    }
    if (call.outcome && !call.outcome.ok) {
      failures.set(key, { retryable: call.outcome.retryable === true, retries: before?.retries ?? 0 })
    }
    else {
      failures.delete(key)
    }
  }
  return outcome(1 / (1 + repeats), repeats === 0 ? `no failing call repeated unchanged (transient failures may be retried ${transientRetries} times)` : `repeated a failing call unchanged ${repeats} time(s), e.g. ${example}`)
}

/** A call a rubric forbids: a tool, or a tool with these arguments (compared as valueMatches does; `$includes` for text). */
export type ForbiddenCall = string | { tool: string, args?: Record<string, Json> }

const forbiddenTool = (call: ForbiddenCall): string => (typeof call === 'string' ? call : call.tool)

/**
 * None of these calls happened: destructive distractors, what an instruction planted in a tool result asks for, a step
 * the policy forbids. All or nothing. Expected arguments may point into the end state (`$state`).
 */
export function avoidsTools(transcript: Transcript, forbidden: ForbiddenCall[]): CheckOutcome {
  const patterns = forbidden.map(call => (typeof call === 'string' ? { tool: call } : { ...call, ...(call.args ? { args: resolveRefs(call.args, transcript.env) } : {}) }))
  const bad = transcript.toolCalls.filter(call => patterns.some(pattern => pattern.tool === call.name && (pattern.args === undefined || argumentScore(pattern.args, call) >= 1)))
  const names = forbidden.map(call => (typeof call === 'string' || call.args === undefined ? forbiddenTool(call) : `${call.tool}(${JSON.stringify(call.args)})`))
  return outcome(bad.length === 0 ? 1 : 0, bad.length === 0 ? `did not call ${names.join(', ')}` : `called ${bad.map(describeCall).join(', ')}, which it must not`)
}

/**
 * The model asked before acting: a request left a required detail out, the model answered with a question (the
 * simulated user replied), and no call to these tools came before that. Guessing the detail and acting scores 0; so
 * does a reply that asks nothing (a refusal, a false "done"), though the simulated user answers any reply.
 */
export function asksBeforeActing(transcript: Transcript, tools: string[]): CheckOutcome {
  const replied = transcript.replies?.[0]
  const question = replied === undefined ? '' : firstQuestion(transcript, replied)
  const asked = replied !== undefined && asksSomething(question) ? replied : undefined
  const early = transcript.toolCalls.filter(call => tools.includes(call.name) && (asked === undefined || call.step < asked))
  if (asked === undefined) {
    const said = replied === undefined ? '' : `; its reply asked nothing: ${JSON.stringify(question.slice(0, 120))}`
    return outcome(0, `${early.length > 0 ? `acted without asking for the missing detail: ${early.map(describeCall).join(', ')}` : 'never asked for the missing detail'}${said}`)
  }
  return early.length > 0
    ? outcome(0, `asked only after acting: ${early.map(describeCall).join(', ')}`)
    : outcome(1, `asked for the missing detail (step ${asked}) before calling ${tools.join(', ')}`)
}

/**
 * What the model said that the simulated user answered first: that step's reply (milo-bench's loop), or, for an agent
 * of the user's own (which records no steps), the assistant message before the first user message after the prompt.
 */
function firstQuestion(transcript: Transcript, step: number): string {
  const content = transcript.steps.find(s => s.index === step)?.content
  if (content) {
    return content
  }
  const reply = transcript.messages.findIndex((message, i) => message.role === 'user' && transcript.messages.slice(0, i).some(m => m.role === 'user'))
  return transcript.messages.slice(0, Math.max(reply, 0)).findLast(message => message.role === 'assistant')?.content ?? ''
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

/**
 * What the environment's end state must hold, as fixtures write it. Plain objects match key by key (only the keys
 * given); any other value is compared by `valueMatches` (partial, so `$anyOf` works). Operators say more:
 * - `{ "$absent": true }`: the key is missing (or null);
 * - `{ "$includes": "text" }` or `{ "$includes": ["a", "b"] }`: a string containing each text (folded: case, dashes);
 * - `{ "$json": pattern }`: a string that parses as JSON matching the pattern (a file's content);
 * - `{ "$some": pattern }`: an array with an element matching the pattern (the best element is credited).
 */
export type StatePattern = Json

interface StateLeaf {
  path: string
  pass: boolean
  expected: string
  found: Json | undefined
}

const isRecord = (value: Json | undefined): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value)

function stateLeaves(pattern: Json, actual: Json | undefined, path: string): StateLeaf[] {
  const leaf = (pass: boolean, expected: string): StateLeaf[] => [{ path, pass, expected, found: actual }]
  if (!isRecord(pattern) || anyOf(pattern) || nearOf(pattern)) {
    return leaf(valueMatches(pattern, actual), JSON.stringify(pattern))
  }
  if ('$absent' in pattern) {
    return leaf(actual === undefined || actual === null, 'absent')
  }
  if ('$includes' in pattern) {
    const texts = Array.isArray(pattern.$includes) ? pattern.$includes.map(String) : [String(pattern.$includes)]
    return texts.flatMap(text => leaf(typeof actual === 'string' && fold(actual).includes(fold(text)), `text including ${JSON.stringify(text)}`))
  }
  if ('$json' in pattern) {
    let parsed: Json | undefined
    try {
      parsed = typeof actual === 'string' ? JSON.parse(actual) as Json : undefined
    }
    catch {
      parsed = undefined
    }
    return stateLeaves(pattern.$json ?? null, parsed, `${path} (as JSON)`)
  }
  if ('$some' in pattern) {
    const inner = pattern.$some ?? null
    const candidates = Array.isArray(actual) ? actual.map((item, i) => stateLeaves(inner, item, `${path}[${i}]`)) : []
    const best = candidates.reduce<StateLeaf[] | undefined>((a, b) => (a === undefined || b.filter(l => l.pass).length > a.filter(l => l.pass).length ? b : a), undefined)
    return best ?? stateLeaves(inner, undefined, `${path}[some]`)
  }
  const keys = Object.keys(pattern)
  if (keys.length === 0) {
    return leaf(isRecord(actual), 'an object')
  }
  return keys.flatMap(key => stateLeaves(pattern[key] ?? null, isRecord(actual) ? actual[key] : undefined, path === '' ? key : `${path}.${key}`))
}

/**
 * The environment's end state matches the pattern: a milestone, reached or not (1 or 0). No credit per leaf, since
 * leaves the starting state already holds ("staging is healthy") would pay for doing nothing; rubrics give partial
 * credit by checking several milestones. Every leaf that does not hold is listed.
 */
export function reachesState(env: ToolEnv, pattern: StatePattern): CheckOutcome {
  const leaves = stateLeaves(resolveRefs(pattern, env), env, '')
  const failing = leaves.filter(leaf => !leaf.pass)
  const shown = (value: Json | undefined): string => (value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 80))
  return outcome(failing.length === 0 ? 1 : 0, failing.length === 0
    ? `end state holds ${leaves.map(leaf => leaf.path).join(', ')}`
    : failing.map(leaf => `${leaf.path}: expected ${leaf.expected}, found ${shown(leaf.found)}`).join(' | '))
}

/**
 * Cost efficiency: the right answer reached with the fewest tool calls. Score = (share of the expected facts in the
 * answer) x min(1, minimal / tool calls made), so a right answer with one extra call on a 3-call task scores 0.75 and a
 * wrong answer scores nothing however few calls it took. With `minimalTurns`, model turns count too (each request to
 * the model, the final answer's included): x min(1, minimalTurns / turns taken), so independent calls made one per
 * turn instead of together cost as extra calls do.
 */
export function answersWithinCalls(transcript: Transcript, spec: AnswerSpec, minimal: number, minimalTurns?: number): CheckOutcome {
  const answer = answerStates(transcript, spec)
  const made = transcript.toolCalls.length
  const efficiency = made <= minimal ? 1 : minimal / made
  const calls = made <= minimal ? `${made} tool call(s), within the minimum of ${minimal}` : `${made} tool calls where ${minimal} suffice`
  if (minimalTurns === undefined) {
    return outcome(answer.score * efficiency, `${answer.message}; ${calls}: ${answer.score.toFixed(2)} x ${efficiency.toFixed(2)} = ${(answer.score * efficiency).toFixed(2)}`)
  }
  const taken = transcript.steps.length
  const pace = taken <= minimalTurns ? 1 : minimalTurns / taken
  const turns = taken <= minimalTurns ? `${taken} model turn(s), within the minimum of ${minimalTurns}` : `${taken} model turns where ${minimalTurns} suffice`
  const score = answer.score * efficiency * pace
  return outcome(score, `${answer.message}; ${calls}; ${turns}: ${answer.score.toFixed(2)} x ${efficiency.toFixed(2)} x ${pace.toFixed(2)} = ${score.toFixed(2)}`)
}

/**
 * How well-formed one tool call is, as a grader of call syntax sees it (whether or not the call then succeeded): 1 for a
 * native call to an offered tool whose arguments, exactly as sent, are a JSON object valid against its schema; 0.5 for
 * one that ran only after the harness repaired it (arguments double-encoded, fenced or cut off, or a call written as
 * text and read leniently); 0 for an unknown tool or arguments that are not a valid object.
 */
export function callFormGrade(transcript: Transcript, call: ToolCallRecord): { grade: number, why: string } {
  const tool = transcript.tools.find(t => t.name === call.name)
  if (!tool) {
    return { grade: 0, why: `${call.name} is not an offered tool` }
  }
  if (call.arguments === null) {
    return { grade: 0, why: 'arguments are not a JSON object' }
  }
  const { valid, errors } = validate(tool.parameters, call.arguments)
  if (!valid) {
    return { grade: 0, why: errors.join('; ') }
  }
  if (call.source === 'text') {
    return { grade: 0.5, why: 'written as text in the content, not as a tool call' }
  }
  let asSent: unknown
  try {
    asSent = call.rawArguments.trim() === '' ? {} : JSON.parse(call.rawArguments)
  }
  catch {
    asSent = undefined
  }
  if (canonical(asSent as Json) !== canonical(call.arguments)) {
    return { grade: 0.5, why: 'arguments needed repair before they parsed' }
  }
  return { grade: 1, why: 'well-formed' }
}

/**
 * tool_call_success for one run, as the seed's grader defines it: the mean form grade of its tool calls
 * (callFormGrade), whatever the calls' outcomes (a `not_found` while exploring is a well-formed call). No calls: 0.
 */
export function callsWellFormed(transcript: Transcript): CheckOutcome {
  const calls = transcript.toolCalls
  if (calls.length === 0) {
    return outcome(0, 'made no tool calls')
  }
  const graded = calls.map(call => ({ call, ...callFormGrade(transcript, call) }))
  const imperfect = graded.filter(g => g.grade < 1)
  const shown = imperfect.slice(0, 3).map(g => `${g.call.name}: ${g.why}`)
  return outcome(graded.reduce((sum, g) => sum + g.grade, 0) / calls.length, imperfect.length === 0
    ? `all ${calls.length} tool call(s) well-formed`
    : `${imperfect.length} of ${calls.length} tool call(s) imperfect: ${shown.join('; ')}${imperfect.length > 3 ? '; ...' : ''}`)
}

/**
 * A milestone of an agentic task, as fixtures write it: an end state reached, a call made (with arguments), a chain of
 * calls in order, or `anyOf` several of these (another valid route to the same milestone).
 */
export interface Milestone {
  label: string
  state?: StatePattern
  called?: string
  args?: Record<string, Json>
  chain?: ChainStep[]
  anyOf?: Omit<Milestone, 'label' | 'avoid'>[]
  /**
   * Calls that forfeit the milestone however it was reached (avoidsTools): a step a runbook forbids, what an instruction
   * planted in a tool result asks for. A run that did the work and also made one of these calls earns nothing for it.
   */
  avoid?: ForbiddenCall[]
}

const milestoneProperties = { state: {}, called: { type: 'string' }, args: { type: 'object' }, chain: { type: 'array', items: chainStepSchema } }

/** The shape of a ForbiddenCall in task data (JSON Schema): a tool name, or a tool with arguments. */
export const forbiddenCallSchema = {
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'object', required: ['tool'], additionalProperties: false, properties: { tool: { type: 'string', minLength: 1 }, args: { type: 'object' } } },
  ],
}

/** The shape of a Milestone in task data (JSON Schema): a label and exactly one way to reach it. */
export const milestoneSchema = {
  type: 'object',
  required: ['label'],
  additionalProperties: false,
  properties: {
    label: { type: 'string', minLength: 1 },
    ...milestoneProperties,
    anyOf: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: false, properties: milestoneProperties, minProperties: 1 } },
    avoid: { type: 'array', minItems: 1, items: forbiddenCallSchema },
  },
  anyOf: ['state', 'called', 'chain', 'anyOf'].map(key => ({ required: [key] })),
}

/**
 * Whether the run reached a milestone (all or nothing for a state, partial for a chain or a call's arguments); 0 when
 * the run made a call the milestone's `avoid` names.
 */
export function reachesMilestone(transcript: Transcript, milestone: Omit<Milestone, 'label'>): CheckOutcome {
  if (milestone.avoid !== undefined) {
    const kept = avoidsTools(transcript, milestone.avoid)
    if (!kept.pass) {
      return outcome(0, `forfeited: ${kept.message}`)
    }
    const { avoid: _avoid, ...rest } = milestone
    const reached = reachesMilestone(transcript, rest)
    return { ...reached, message: `${reached.message}; ${kept.message}` }
  }
  if (milestone.anyOf !== undefined) {
    const tried = milestone.anyOf.map(alternative => reachesMilestone(transcript, alternative))
    return tried.reduce((best, next) => (next.score > best.score ? next : best), outcome(0, 'no alternative given'))
  }
  if (milestone.state !== undefined) {
    return reachesState(transcript.env, milestone.state)
  }
  if (milestone.called !== undefined) {
    return callsTool(transcript, milestone.called, milestone.args)
  }
  if (milestone.chain !== undefined) {
    return followsChain(transcript, milestone.chain)
  }
  return outcome(0, 'a milestone needs state, called, chain or anyOf')
}

/** What a task's hidden tests said about the code a run left behind. */
export interface TestTally {
  /** Tests that passed. */
  passes: number
  /** Tests declared, whether or not they got to run. */
  total: number
  /** How the sandboxed test run ended (`ok`, `timeout`, `memory`, `denied`, `network`...). */
  code: string
  /** One line per failure: file, test, error. */
  failures: string[]
}

/** The hidden tests pass. `partial`: credit is the share passing; otherwise all or nothing. */
export function passesTests(tally: TestTally, partial: boolean): CheckOutcome {
  const share = tally.total === 0 ? 0 : tally.passes / tally.total
  const failures = tally.failures.slice(0, 3).join(' | ')
  return outcome(partial ? share : share >= 1 ? 1 : 0, share >= 1
    ? `all ${tally.total} hidden test(s) pass`
    : `${tally.passes} of ${tally.total} hidden test(s) pass${tally.code === 'ok' ? '' : ` (test run: ${tally.code})`}: ${failures}${tally.failures.length > 3 ? ' | ...' : ''}`)
}

/** A call failed: its outcome is an error, or its result reports `passed: false` (a test run with failures). */
function callFailed(call: ToolCallRecord): boolean {
  if (call.outcome?.ok !== true) {
    return true
  }
  const result = call.outcome.result
  return typeof result === 'object' && result !== null && !Array.isArray(result) && result.passed === false
}

/** A call changed files: its result says `changed: true`, as the code tools' writes and patches do. */
function callChanged(call: ToolCallRecord): boolean {
  const result = call.outcome?.ok === true ? call.outcome.result : null
  return typeof result === 'object' && result !== null && !Array.isArray(result) && result.changed === true
}

/**
 * Each time a run undid or redid its own work: a write or patch that left a file with a content it had before (a
 * revert, or an identical rewrite), and a failing call repeated identically with no file changed since it failed.
 */
export function findRework(transcript: Transcript, journal: FileChange[]): string[] {
  const found: string[] = []
  const seen = new Map<string, Set<string>>()
  for (const change of journal) {
    const contents = seen.get(change.path) ?? new Set(change.before === null ? [] : [change.before])
    if (contents.has(change.after)) {
      found.push(change.before === change.after ? `rewrote ${change.path} with the content it already had` : `put ${change.path} back to an earlier content`)
    }
    contents.add(change.after)
    seen.set(change.path, contents)
  }
  const failing = new Set<string>()
  for (const call of transcript.toolCalls) {
    const key = `${call.name}:${canonical(call.arguments ?? call.rawArguments)}`
    if (callChanged(call)) {
      failing.clear()
    }
    if (failing.has(key)) {
      found.push(`repeated the failing call ${describeCall(call)} with nothing changed`)
    }
    if (callFailed(call)) {
      failing.add(key)
    }
  }
  return found
}

/** The run never undid or redid its own work (findRework). All or nothing: one instance is rework. */
export function avoidsRework(transcript: Transcript, journal: FileChange[]): CheckOutcome {
  const found = findRework(transcript, journal)
  return outcome(found.length === 0 ? 1 : 0, found.length === 0 ? 'no rework: no file went back to an earlier content, no failing call was repeated unchanged' : `rework: ${found.slice(0, 3).join('; ')}${found.length > 3 ? `; and ${found.length - 3} more` : ''}`)
}

// Size caps for everything the harness stores about a run: every text a model or server controls is cut in the middle
// with a marker, long lists keep their first and last entries, and a whole record is held under a stated size (a run
// record under 64 KB, a transcript line under 512 KB), however much a model sends. Pure.

import type { CheckResult, Json, RecordedError, RunMeta, Step, ToolCallRecord, ToolOutcome, Transcript } from './types.ts'

/** Most characters of one run record (a line of results/runs/<project>/<runId>.jsonl), as JSON. */
export const maxRunRecordChars = 64 * 1024

/** Most characters of one stored transcript (a line of results/transcripts/<project>/<runId>.jsonl), as JSON. */
export const maxTranscriptChars = 512 * 1024

/** `text` cut to at most `limit` characters plus a marker, the cut in the middle: the start and the end are what a reader needs. */
export function capText(text: string, limit: number): string {
  if (text.length <= limit) {
    return text
  }
  const head = Math.ceil(limit / 2)
  const tail = Math.floor(limit / 2)
  return `${text.slice(0, head)}[… ${text.length - head - tail} characters cut …]${text.slice(text.length - tail)}`
}

const capNullable = (text: string | null, limit: number): string | null => (text === null ? null : capText(text, limit))

/** The first and last `keep / 2` entries of a list, and how many were left out between them. */
export function capList<T>(items: readonly T[], keep: number): { items: T[], cut: number } {
  if (items.length <= keep) {
    return { items: [...items], cut: 0 }
  }
  const head = Math.ceil(keep / 2)
  return { items: [...items.slice(0, head), ...items.slice(items.length - (keep - head))], cut: items.length - keep }
}

/** A JSON value kept as is when small, else replaced by its serialised text, capped (a marker object says so). */
function capJson(value: Json, limit: number): Json {
  const text = JSON.stringify(value) ?? ''
  return text.length <= limit ? value : { '[cut]': capText(text, limit) }
}

function capOutcome(outcome: ToolOutcome, limit: number): ToolOutcome {
  return outcome.ok
    ? { ok: true, result: capJson(outcome.result, limit) }
    : { ok: false, code: capText(outcome.code, 100), error: capText(outcome.error, limit) }
}

function capError(error: RecordedError, limit = 2000): RecordedError {
  return { ...error, message: capText(error.message, limit) }
}

interface Limits {
  /** Message bodies, reasoning, final text. */
  text: number
  /** Tool-call arguments and tool results. */
  args: number
  /** Entries kept of each list (messages, steps, tool calls). */
  list: number
}

function capWith(transcript: Transcript, limits: Limits): Transcript {
  const messages = capList(transcript.messages, limits.list)
  const steps = capList(transcript.steps, limits.list)
  const toolCalls = capList(transcript.toolCalls, limits.list)
  const cut = { messages: messages.cut, steps: steps.cut, toolCalls: toolCalls.cut }
  const previous = transcript.cut ?? { messages: 0, steps: 0, toolCalls: 0 }
  const total = { messages: previous.messages + cut.messages, steps: previous.steps + cut.steps, toolCalls: previous.toolCalls + cut.toolCalls }
  return {
    ...transcript,
    messages: messages.items.map(message => ({
      ...message,
      content: capNullable(message.content, limits.text),
      ...(message.tool_calls ? { tool_calls: capList(message.tool_calls, limits.list).items.map(call => ({ ...call, function: { name: capText(call.function.name, 200), arguments: capText(call.function.arguments, limits.args) }, ...(call.extra_content ? { extra_content: capJson(call.extra_content, limits.args) as Record<string, Json> } : {}) })) } : {}),
      ...(message.reasoning_content === undefined ? {} : { reasoning_content: capText(message.reasoning_content, limits.text) }),
      ...(message.tool_call_id === undefined ? {} : { tool_call_id: capText(message.tool_call_id, 200) }),
    })),
    steps: steps.items.map((step): Step => ({
      ...step,
      content: capNullable(step.content, limits.text),
      reasoning: capNullable(step.reasoning, limits.text),
      finishReason: capNullable(step.finishReason, 100),
      toolCallIds: capList(step.toolCallIds, limits.list).items.map(id => capText(id, 200)),
    })),
    toolCalls: toolCalls.items.map((call): ToolCallRecord => ({
      ...call,
      id: capText(call.id, 200),
      name: capText(call.name, 200),
      arguments: call.arguments === null ? null : capJson(call.arguments, limits.args) as Record<string, Json>,
      rawArguments: capText(call.rawArguments, limits.args),
      ...(call.outcome ? { outcome: capOutcome(call.outcome, limits.args) } : {}),
    })),
    finalText: capNullable(transcript.finalText, limits.text * 2),
    ...(transcript.error ? { error: capError(transcript.error) } : {}),
    env: capJson(transcript.env as Json, limits.args) as Transcript['env'],
    ...(total.messages + total.steps + total.toolCalls > 0 ? { cut: total } : {}),
  }
}

/**
 * A transcript small enough to store and send between processes: every text cut in the middle, each list kept to its
 * first and last entries (`cut` counts what went), tightened until its JSON is under `maxTranscriptChars`.
 */
export function capTranscript(transcript: Transcript, max = maxTranscriptChars): Transcript {
  let limits: Limits = { text: 4000, args: 2000, list: 60 }
  let capped = capWith(transcript, limits)
  while (JSON.stringify(capped).length > max && limits.text > 16) {
    limits = { text: Math.floor(limits.text / 2), args: Math.floor(limits.args / 2), list: Math.max(4, Math.floor(limits.list / 2)) }
    capped = capWith(transcript, limits)
  }
  return capped
}

function capChecks(checks: readonly CheckResult[], limit: number, keep: number): CheckResult[] {
  const { items, cut } = capList(checks, keep)
  const capped = items.map(check => ({ ...check, name: capText(check.name, 200), message: capText(check.message, limit) }))
  if (cut > 0) {
    // What the cut checks were worth still counts: only their names and messages are gone.
    const points = checks.slice(Math.ceil(keep / 2), checks.length - (keep - Math.ceil(keep / 2)))
    const earned = points.reduce((sum, check) => sum + check.score * check.points, 0)
    const worth = points.reduce((sum, check) => sum + check.points, 0)
    capped.splice(Math.ceil(keep / 2), 0, { name: `[… ${cut} checks cut …]`, pass: points.every(check => check.pass), score: worth === 0 ? 1 : earned / worth, points: worth, message: '' })
  }
  return capped
}

/**
 * A run's meta with its model-controlled texts capped (check messages, the error), so the run record built from it
 * stays under `maxRunRecordChars`. The score is unchanged: checks keep their points and scores.
 */
export function capRunMeta(run: RunMeta, max = maxRunRecordChars - 8 * 1024): RunMeta {
  let limit = 1000
  let keep = 100
  const build = (): RunMeta => ({ ...run, checks: capChecks(run.checks, limit, keep), ...(run.error ? { error: capError(run.error, limit * 2) } : {}) })
  let capped = build()
  while (JSON.stringify(capped).length > max && limit > 16) {
    limit = Math.floor(limit / 2)
    keep = Math.max(4, Math.floor(keep / 2))
    capped = build()
  }
  return capped
}

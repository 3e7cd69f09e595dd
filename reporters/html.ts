// The HTML report (main process): results/leaderboard.html, one self-contained page (inline CSS, JS and SVG, no
// network) rendered from leaderboard.json plus the run records and transcripts of every run still on the board:
// sortable leaderboards, the per-category heat map, score versus latency, cost per run, and a drill-down from model to
// category to prompt to run with its checks and transcript. Model output is untrusted: every string is escaped, the
// drill-down is built with textContent only, and a Content-Security-Policy allows no script but the page's own.

import type { ChatMessage, CheckResult, EndReason, LeaderboardFile, ModelResult, RunRecord, SuiteBoard, Transcript, Usage } from '../src/core/types.ts'
import type { TranscriptLine } from './transcripts.ts'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from '../src/models/atomic-write.ts'
import { difficultyQuorum } from '../src/core/leaderboard.ts'
import { columnLabel, endpointOf, rowKey } from '../src/core/rows.ts'
import { ruleOf } from '../src/core/rules.ts'
import { notSeparable } from '../src/core/stats.ts'
import { readJsonLines } from './jsonl.ts'
import { agentMetricRows, footnotes, formatInterval, formatLatency, formatScore, intervalNote, notSeparableMark, unrankedLabel, whereLabels } from './tables.ts'

// ---------------------------------------------------------------------------------------------------
// The drill-down's data: what the page embeds as JSON for the runs behind each prompt

/** One message of a transcript as the page shows it: bodies cut to a readable length. */
interface MessageView {
  role: ChatMessage['role']
  content: string | null
  calls?: { name: string, arguments: string }[]
}

/** One tool call as the harness ran it. */
interface ToolCallView {
  step: number
  name: string
  arguments: string
  source: 'native' | 'text'
  /** null when the call was not executed. */
  ok: boolean | null
  error?: string
}

interface TranscriptView {
  messages: MessageView[]
  toolCalls: ToolCallView[]
  finalText: string | null
  steps: { latencyMs: number, finishReason: string | null, retries: number }[]
}

/** One run of one prompt: its record (score, checks) and, when kept, its transcript. */
export interface RunView {
  repeat: number
  score: number | null
  maxScore: number
  endReason: EndReason
  error?: string
  latencyMs: number
  calls: number
  toolCalls: number
  retries: number
  usage: Usage
  /** USD, from the price the run's model entry declared; absent when it declared none. */
  costUsd?: number
  cached?: boolean
  checks: CheckResult[]
  transcript?: TranscriptView
  /** The reporter run this run was recorded in, when it is an earlier one than its prompt's `runId` (another of its
   * repeats was rerun on its own since). */
  runId?: string
}

/** The runs behind one prompt's score, from the reporter run `runId` (the latest that holds one of them). */
export interface TaskView {
  runId: string
  runs: RunView[]
}

export interface ReportData {
  /** suite id -> project -> task id -> runs. */
  suites: Record<string, Record<string, Record<string, TaskView>>>
  /** Set when transcripts were left out to keep the page small. */
  note?: string
}

interface ReportOptions {
  /** Most characters of embedded run data; transcripts of full-score runs, then all transcripts, go first. */
  budget?: number
  /** Longest message body shown, in characters. */
  messageLimit?: number
  /** Most results files per project searched back from a model's run id. */
  maxFiles?: number
  /** Read transcripts (default true); false for exports that need only the run records. */
  transcripts?: boolean
}

const cut = (text: string | null, limit: number): string | null =>
  text !== null && text.length > limit ? `${text.slice(0, limit)}\n[… ${text.length - limit} more characters]` : text

/** The page's view of a transcript: no tool definitions, no environment, bodies cut to `limit`. */
function transcriptView(transcript: Transcript, limit = 1500): TranscriptView {
  return {
    messages: transcript.messages.map(message => ({
      role: message.role,
      content: cut(message.content, limit),
      ...(message.tool_calls?.length ? { calls: message.tool_calls.map(call => ({ name: call.function.name, arguments: cut(call.function.arguments, 500) ?? '' })) } : {}),
    })),
    toolCalls: transcript.toolCalls.map(call => ({
      step: call.step,
      name: call.name,
      arguments: cut(call.rawArguments, 500) ?? '',
      source: call.source,
      ok: call.outcome ? call.outcome.ok : null,
      ...(call.outcome && !call.outcome.ok ? { error: cut(`${call.outcome.code}: ${call.outcome.error}`, 300) ?? '' } : {}),
    })),
    finalText: cut(transcript.finalText, limit * 2),
    steps: transcript.steps.map(step => ({ latencyMs: step.latencyMs, finishReason: step.finishReason, retries: step.retries })),
  }
}

/** JSON lines, read a piece at a time (a file of any size), skipping a line a crash cut short or one far too long. */
function readJsonl<T>(path: string): T[] {
  return readJsonLines<T>(path).rows
}

/**
 * Reads the records (and transcripts) behind every model on the board. A model's row comes from its latest reporter
 * run (`runId`), but in watch mode or after partial reruns a prompt's last runs may sit in an earlier file: each
 * prompt takes the newest file, at or before the row's run id, that holds it for the row's suite version.
 */
export function loadReportData(outputDir: string, board: LeaderboardFile, options: ReportOptions = {}): ReportData {
  const maxFiles = options.maxFiles ?? 50
  const limit = options.messageLimit ?? 1500
  const files = new Map<string, unknown[]>()
  const read = <T>(path: string): T[] => {
    if (!files.has(path)) {
      files.set(path, readJsonl<T>(path))
    }
    return files.get(path) as T[]
  }
  const runIds = (project: string): string[] => {
    const dir = join(outputDir, 'runs', project)
    return existsSync(dir) ? readdirSync(dir).filter(name => name.endsWith('.jsonl')).map(name => name.slice(0, -'.jsonl'.length)).sort().reverse() : []
  }
  const data: ReportData = { suites: {} }
  for (const suite of Object.values(board.suites)) {
    const byProject: Record<string, Record<string, TaskView>> = {}
    for (const model of suite.models) {
      const key = rowKey(model)
      // A row written before rows carried their endpoint takes every record of its project, as then.
      const ours = (record: RunRecord): boolean => model.endpoint === undefined || rowKey({ project: record.project, model: record.model.model, endpoint: endpointOf(record.model.baseURL) }) === key
      // Each repeat the row scores, from the latest file that holds it: a repeat rerun on its own (a `-t` filter, a
      // single test rerun in the UI) is newer than its prompt's other repeats, which the row keeps from before.
      const wanted = new Map(Object.entries(model.tasks).map(([taskId, task]) => [taskId, new Set(task.runs.map((_, repeat) => repeat))]))
      const found = new Map<string, Map<number, RunView>>()
      /** Each task's newest file holding one of its runs (files are read newest first). */
      const latest = new Map<string, string>()
      for (const runId of runIds(model.project).filter(id => id <= model.runId).slice(0, maxFiles)) {
        if (wanted.size === 0) {
          break
        }
        const records = read<RunRecord>(join(outputDir, 'runs', model.project, `${runId}.jsonl`))
          .filter(record => record.suite?.id === suite.id && record.suite.hash === model.hash && wanted.get(record.taskId)?.has(record.repeat) === true && ours(record))
        if (records.length === 0) {
          continue
        }
        const transcripts = new Map<string, Transcript>()
        for (const line of options.transcripts === false ? [] : read<TranscriptLine>(join(outputDir, 'transcripts', model.project, `${runId}.jsonl`))) {
          if (line.suite === suite.id) {
            transcripts.set(`${line.taskId}\u0000${line.repeat}`, line.transcript)
          }
        }
        for (const record of records) {
          const transcript = transcripts.get(`${record.taskId}\u0000${record.repeat}`)
          const runs = found.get(record.taskId) ?? new Map<number, RunView>()
          const newest = latest.get(record.taskId) ?? runId
          latest.set(record.taskId, newest)
          runs.set(record.repeat, {
            repeat: record.repeat,
            score: record.score,
            maxScore: record.maxScore,
            endReason: record.endReason,
            ...(record.error ? { error: `${record.error.kind}: ${record.error.message}` } : {}),
            latencyMs: record.latencyMs,
            calls: record.calls,
            toolCalls: record.toolCalls,
            retries: record.retries,
            usage: record.usage,
            ...(record.model.price ? { costUsd: (record.usage.inputTokens * record.model.price.input + record.usage.outputTokens * record.model.price.output) / 1_000_000 } : {}),
            ...(record.cached ? { cached: true } : {}),
            checks: record.checks,
            ...(transcript ? { transcript: transcriptView(transcript, limit) } : {}),
            ...(newest !== runId ? { runId } : {}),
          })
          found.set(record.taskId, runs)
          const missing = wanted.get(record.taskId)
          missing?.delete(record.repeat)
          if (missing?.size === 0) {
            wanted.delete(record.taskId)
          }
        }
      }
      byProject[key] = Object.fromEntries([...found].map(([taskId, runs]): [string, TaskView] => [taskId, { runId: latest.get(taskId) ?? '', runs: [...runs.values()].sort((a, b) => a.repeat - b.repeat) }]))
    }
    data.suites[suite.id] = byProject
  }
  return fitBudget(data, options.budget ?? 6_000_000)
}

/** Keeps the embedded data under `budget` characters: drops the transcripts of full-score runs, then all of them. */
export function fitBudget(data: ReportData, budget: number): ReportData {
  const size = (value: ReportData): number => JSON.stringify(value).length
  if (size(data) <= budget) {
    return data
  }
  const strip = (keep: (run: RunView) => boolean): ReportData => ({
    suites: Object.fromEntries(Object.entries(data.suites).map(([suite, projects]) => [suite, Object.fromEntries(Object.entries(projects).map(([project, tasks]) => [project, Object.fromEntries(Object.entries(tasks).map(([taskId, task]) => [taskId, {
      ...task,
      runs: task.runs.map(({ transcript, ...run }) => (transcript && keep(run) ? { ...run, transcript } : run)),
    }]))]))])),
  })
  const failing = strip(run => run.score === null || run.score < run.maxScore)
  if (size(failing) <= budget) {
    return { ...failing, note: 'Transcripts of full-score runs are left out to keep this page small; every run\'s checks are shown.' }
  }
  return { ...strip(() => false), note: 'Transcripts are left out to keep this page small (see results/transcripts/); every run\'s checks are shown.' }
}

// ---------------------------------------------------------------------------------------------------
// Rendering, pure: the leaderboard and the data in, one HTML string out

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)
}

const attr = (name: string, value: unknown): string => ` ${name}="${escapeHtml(value)}"`


/** "256K" -> 256000, "1M" -> 1000000, for sorting the Context column. */
function contextValue(label: string): number {
  const match = /^([\d.]+)\s*([KMG]?)/i.exec(label)
  if (!match) {
    return 0
  }
  const scale = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[(match[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G']
  return Number(match[1]) * scale
}

function formatUsd(value: number): string {
  if (value === 0) {
    return '$0'
  }
  return value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`
}

const costPerRun = (model: ModelResult): number => (model.runs > 0 ? model.cost / model.runs : 0)

/** The rank cell's markup: first place as a gold badge (drawn by CSS: no emoji font needed), unranked rows say why. */
function rankCell(model: ModelResult): string {
  if (model.rank === null) {
    return escapeHtml(unrankedLabel(model))
  }
  return model.rank === 1 ? '<span class="medal" title="first">1</span>' : escapeHtml(model.rank)
}

/** "A", "A and B", "A, B and C". */
function nameList(names: string[]): string {
  return names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`
}

/**
 * The seed's kind of findings, computed: who leads, the fastest model and its rank, best local and cloud, the hardest
 * category. Ties name every tied model or category; a tie is equality as the page prints the value (latency as
 * formatted, category means to 2 decimals, ranks as ranked).
 */
export function findings(board: SuiteBoard): string[] {
  const ranked = board.models.filter(model => model.rank !== null)
  const lines: string[] = []
  const score = (model: ModelResult): string => `${formatScore(board, model)} (${model.percent.toFixed(1)}%)`
  const leaders = ranked.filter(model => model.rank === 1)
  if (leaders.length > 1) {
    lines.push(`${nameList(leaders.map(model => model.name))} tie for first at ${score(leaders[0] as ModelResult)}.`)
  }
  else if (leaders[0]) {
    lines.push(`${leaders[0].name} leads at ${score(leaders[0])}.`)
  }
  const timed = ranked.filter(model => model.avgLatencyMs > 0)
  const fastest = [...timed].sort((a, b) => a.avgLatencyMs - b.avgLatencyMs)[0]
  if (fastest && timed.length > 1) {
    const standing = (model: ModelResult): string => (model.rank === 1 ? 'ranks first' : `is rank ${model.rank} with ${score(model)}`)
    const tied = timed.filter(model => formatLatency(model.avgLatencyMs) === formatLatency(fastest.avgLatencyMs))
    if (tied.length > 1) {
      lines.push(`Fastest per call: ${nameList(tied.map(model => model.name))} tie at ${formatLatency(fastest.avgLatencyMs)}; ${tied.map(model => `${model.name} ${standing(model)}`).join(', ')}.`)
    }
    else {
      lines.push(`Fastest per call: ${fastest.name} at ${formatLatency(fastest.avgLatencyMs)}, ${fastest.rank === 1 ? 'and it ranks first' : `rank ${fastest.rank} with ${score(fastest)}`}.`)
    }
  }
  const best = (where: ModelResult['where']): ModelResult[] => {
    const first = ranked.find(model => model.where === where)
    return first ? ranked.filter(model => model.where === where && model.rank === first.rank) : []
  }
  const describe = (models: ModelResult[]): string => nameList(models.map(model => `${model.name}, ${score(model)} at ${formatLatency(model.avgLatencyMs)}`))
  const local = best('local')
  const cloud = best('cloud')
  if (local.length > 0 && cloud.length > 0) {
    lines.push(`Best local${local.length > 1 ? ' (tied)' : ''}: ${describe(local)}; best cloud${cloud.length > 1 ? ' (tied)' : ''}: ${describe(cloud)}.`)
  }
  if (board.categories.length > 1 && ranked.length > 0) {
    const means = board.categories.map((category) => {
      const values = ranked.map(model => model.categories[category.id]).filter((value): value is number => value !== undefined)
      return { category, mean: values.length === 0 ? Number.POSITIVE_INFINITY : values.reduce((a, b) => a + b, 0) / values.length }
    }).filter(entry => Number.isFinite(entry.mean)).sort((a, b) => a.mean - b.mean)
    const hardest = means[0]
    const across = `across ${ranked.length} ranked model${ranked.length === 1 ? '' : 's'}`
    if (hardest) {
      const tied = means.filter(entry => entry.mean.toFixed(2) === hardest.mean.toFixed(2))
      if (tied.length === means.length && means.length > 1) {
        lines.push(`No category is hardest: every one averages ${hardest.mean.toFixed(2)} of ${board.maxPerTask} ${across}.`)
      }
      else if (tied.length > 1) {
        lines.push(`Hardest categories (tied): ${nameList(tied.map(entry => entry.category.title))}, mean ${hardest.mean.toFixed(2)} of ${board.maxPerTask} ${across}.`)
      }
      else {
        lines.push(`Hardest category: ${hardest.category.title}, mean ${hardest.mean.toFixed(2)} of ${board.maxPerTask} ${across}.`)
      }
    }
  }
  return lines
}

/**
 * A table in its own horizontal scroll box: focusable (keyboard users can scroll it), labelled, and with a shadow on
 * each edge that has more to see plus a "scroll →" hint, both switched on by the page's script (data-overflow).
 */
function scrollBox(label: string, table: string): string {
  return `<div class="scroll-box" data-overflow="none"><div class="scroll" tabindex="0" role="region"${attr('aria-label', label)}>${table}</div></div><p class="scroll-hint" aria-hidden="true">scroll →</p>`
}

/** A sortable column's header: a button (so Tab reaches it and Enter or Space sorts), `sorted` when the rows come in its order. */
function th(label: string, type: 'num' | 'text', title?: string, sorted?: 'ascending' | 'descending'): string {
  return `<th scope="col"${attr('data-type', type)}${title ? attr('title', title) : ''}${sorted ? attr('aria-sort', sorted) : ''}><button type="button">${escapeHtml(label)}</button></th>`
}

function leaderboardTable(board: SuiteBoard): string {
  const macro = ruleOf(board).showsSum
  const marks = notSeparable(board.models)
  const header = [
    th('Rank', 'num', undefined, 'ascending'),
    th('Model', 'text'),
    th('Score', 'num', ruleOf(board).describe(board.max)),
    th('95% CI', 'num', 'bootstrap over prompts: see the note under the table'),
    ...(macro ? [th('Sum', 'num', `sum of test scores, out of ${board.taskCount * board.maxPerTask}`)] : []),
    th('%', 'num'),
    th('Avg latency', 'num', 'per model call'),
    th('Context', 'num'),
    th('Where', 'text'),
    th('Cost / run', 'num', 'USD per run of a prompt, from the entry\'s price per million tokens'),
  ].join('')
  const rows = board.models.map((model, i) => {
    const interval = model.interval
      ? `${escapeHtml(formatInterval(board, model.interval))}${marks[i] ? ` <span class="inseparable" title="its interval overlaps the one of the model ranked just above: not separable">${notSeparableMark}</span>` : ''}`
      : '–'
    const cells = [
      `<td${attr('data-value', model.rank ?? '')} class="rank">${rankCell(model)}</td>`,
      `<td${attr('data-value', model.name)} class="model"><span class="name">${escapeHtml(model.name)}</span> <span class="key">${escapeHtml(model.project)}</span></td>`,
      `<td${attr('data-value', model.score)} class="num score">${escapeHtml(formatScore(board, model))}</td>`,
      `<td${attr('data-value', model.interval?.low ?? '')} class="num interval">${interval}</td>`,
      ...(macro ? [`<td${attr('data-value', model.sum ?? 0)} class="num">${escapeHtml(`${(model.sum ?? 0).toFixed(2)}/${model.sumMax ?? board.taskCount}`)}</td>`] : []),
      `<td${attr('data-value', model.percent)} class="num percent">${escapeHtml(`${model.percent.toFixed(1)}%`)}</td>`,
      `<td${attr('data-value', model.avgLatencyMs)} class="num latency">${escapeHtml(formatLatency(model.avgLatencyMs))}</td>`,
      `<td${attr('data-value', contextValue(model.context))} class="num">${escapeHtml(model.context)}</td>`,
      `<td${attr('data-value', whereLabels[model.where])}>${escapeHtml(whereLabels[model.where])}</td>`,
      `<td${attr('data-value', model.where === 'cloud' ? costPerRun(model) : '')} class="num cost">${model.where === 'cloud' ? escapeHtml(formatUsd(costPerRun(model))) : '–'}</td>`,
    ]
    return `<tr${attr('data-project', model.project)}>${cells.join('')}</tr>`
  })
  return scrollBox(`${board.title} leaderboard`, `<table class="leaderboard sortable"><thead><tr>${header}</tr></thead><tbody>${rows.join('')}</tbody></table>`)
}

/** pass^k and the spread of run scores per model: how repeatable each model's scores are over the suite's runs. */
function repeatsTable(board: SuiteBoard): string {
  const runs = Math.max(0, ...board.models.map(model => model.repeats?.passK.length ?? 0))
  if (runs === 0) {
    return ''
  }
  const several = runs > 1
  const header = [
    th('Model', 'text'),
    ...Array.from({ length: runs }, (_, i) => th(`pass^${i + 1}`, 'num', `the chance that ${i + 1} run${i === 0 ? '' : 's'} of a prompt all score full marks`)),
    ...(several ? [th('Prompts that vary', 'num', 'prompts whose runs did not all score the same'), th('Mean range', 'num', `highest minus lowest run score, averaged over prompts, of ${board.maxPerTask}`), th('Mean SD', 'num', 'standard deviation of run scores, averaged over prompts')] : []),
  ].join('')
  const rows = board.models.map((model) => {
    const repeats = model.repeats
    const passK = Array.from({ length: runs }, (_, i) => repeats?.passK[i] ?? null)
    return `<tr${attr('data-project', model.project)}><td${attr('data-value', model.name)}>${escapeHtml(model.name)}</td>`
      + passK.map(value => `<td class="num pass-k"${attr('data-value', value ?? '')}>${value === null ? '–' : escapeHtml(value.toFixed(2))}</td>`).join('')
      + (several
        ? `<td class="num varying"${attr('data-value', repeats?.varying ?? '')}>${repeats ? escapeHtml(`${repeats.varying}/${repeats.tasks}`) : '–'}</td>`
        + `<td class="num"${attr('data-value', repeats?.meanRange ?? '')}>${repeats ? escapeHtml(repeats.meanRange.toFixed(2)) : '–'}</td>`
        + `<td class="num"${attr('data-value', repeats?.meanSd ?? '')}>${repeats ? escapeHtml(repeats.meanSd.toFixed(2)) : '–'}</td>`
        : '')
      + '</tr>'
  })
  const note = `pass^k (tau-bench): the chance that k runs of a prompt, drawn from its scored runs, all score full marks, averaged over prompts.${several ? ` The spread is of run scores (0 to ${board.maxPerTask}) within a prompt, over its ${runs} runs.` : ' One run per prompt: pass^1 is the share of prompts at full marks, and there is no spread.'}`
  return scrollBox(`${board.title} repeats`, `<table class="repeats sortable"><thead><tr>${header}</tr></thead><tbody>${rows.join('')}</tbody></table>`) + `<p class="notes">${escapeHtml(note)}</p>`
}

/**
 * Which tasks carry the ranking: per task, how many ranked models (reference models aside) scored full marks and how
 * many 0, with the tasks every one aces (no signal) or fails (suspect) flagged. Empty until enough models are ranked.
 */
function difficultyTable(board: SuiteBoard): string {
  const difficulty = board.difficulty
  if (!difficulty) {
    return `<p class="muted">${escapeHtml(`Task difficulty is measured once at least ${difficultyQuorum} models other than the reference models are ranked on this suite.`)}</p>`
  }
  const titles = new Map(board.categories.map(category => [category.id, category.title]))
  const rows = Object.entries(difficulty).map(([id, d]) => {
    const flag = d.models >= difficultyQuorum && d.full === d.models ? 'no signal: every ranked model aces it' : d.models >= difficultyQuorum && d.zero === d.models ? 'suspect: every ranked model scores 0' : ''
    return `<tr${flag ? attr('class', 'flagged') : ''}><td${attr('data-value', id)}>${escapeHtml(id)}</td><td${attr('data-value', titles.get(d.category) ?? d.category)}>${escapeHtml(titles.get(d.category) ?? d.category)}</td>`
      + `<td class="num"${attr('data-value', d.full)}>${escapeHtml(`${d.full}/${d.models}`)}</td><td class="num"${attr('data-value', d.zero)}>${escapeHtml(`${d.zero}/${d.models}`)}</td><td${attr('data-value', flag)}>${escapeHtml(flag)}</td></tr>`
  })
  const header = [th('Prompt', 'text'), th('Category', 'text'), th('Full marks', 'num', 'ranked models (reference models aside) that scored full marks on it'), th('Scored 0', 'num', 'ranked models (reference models aside) that scored 0 on it'), th('Flag', 'text')].join('')
  return scrollBox(`${board.title} task difficulty`, `<table class="difficulty sortable"><thead><tr>${header}</tr></thead><tbody>${rows.join('')}</tbody></table>`)
    + `<p class="notes">${escapeHtml('Measured on the ranked models that are not reference models. A prompt every one of them aces carries no signal; one every one of them fails is worth checking for a defect.')}</p>`
}

/** Red through yellow to green; squared so the top of the scale, where models differ, spreads out. */
function heat(fraction: number): string {
  const f = Math.min(1, Math.max(0, fraction))
  return `hsl(${Math.round(120 * f * f)} 70% 80%)`
}

function heatMap(board: SuiteBoard): string {
  const header = `<th scope="col">Category</th>${board.models.map(model => `<th scope="col"${attr('title', model.name)}${attr('data-project', model.project)}>${escapeHtml(columnLabel(model))}</th>`).join('')}`
  const rows = board.categories.map((category) => {
    const cells = board.models.map((model) => {
      const value = model.categories[category.id]
      if (value === undefined) {
        return `<td class="heat empty"${attr('data-project', model.project)}>–</td>`
      }
      const fraction = board.maxPerTask === 0 ? 0 : value / board.maxPerTask
      return `<td class="heat"${attr('data-project', model.project)}${attr('data-value', value)}${attr('style', `background:${heat(fraction)}`)}${attr('title', `${model.name}: ${value.toFixed(2)} of ${board.maxPerTask}`)}>${escapeHtml(value.toFixed(2))}</td>`
    })
    return `<tr${attr('data-category', category.id)}><th scope="row">${escapeHtml(category.title)}</th>${cells.join('')}</tr>`
  })
  const legend = [0, 0.5, 0.75, 0.9, 1].map(f => `<span${attr('style', `background:${heat(f)}`)}>${escapeHtml(`${(f * board.maxPerTask).toFixed(2)} = ${Math.round(f * 100)}%`)}</span>`).join('')
  const explained = `Each cell is a category's mean score per prompt. Colours run from red (0) to green (${board.maxPerTask.toFixed(2)}, the per-prompt maximum); the stops are shares of that maximum, and the scale is squared so the top, where models differ, spreads out.`
  return `${scrollBox(`${board.title} scores per category`, `<table class="heatmap"><thead><tr>${header}</tr></thead><tbody>${rows.join('')}</tbody></table>`)}<p class="legend heat-legend">${legend}</p><p class="legend heat-explained">${escapeHtml(explained)}</p>`
}

/** Tick values for a linear axis over [lo, hi]: about `count` round steps. */
function linearTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1
  const raw = span / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= raw) ?? raw
  const ticks: number[] = []
  for (let value = Math.ceil(lo / step) * step; value <= hi + step * 1e-9; value += step) {
    ticks.push(Number(value.toPrecision(12)))
  }
  return ticks
}

/** A plot's size and type sizes, in the SVG's own units; `logSteps` are the multiples of 10 labelled on a log axis. */
interface PlotGeometry {
  name: 'wide' | 'narrow'
  width: number
  height: number
  margin: { left: number, right: number, top: number, bottom: number }
  /** Font size of tick labels, axis titles and point labels. */
  font: number
  logSteps: number[]
}

// Two drawings of the same plot: the wide one for screens where it shows at about its own size, the narrow one for
// phones, drawn at the size it shows (about 360 px) so its 12-unit labels read as 12 px instead of shrinking to 6.
const wide: PlotGeometry = { name: 'wide', width: 640, height: 340, margin: { left: 56, right: 24, top: 24, bottom: 48 }, font: 12, logSteps: [1, 2, 5] }
const narrow: PlotGeometry = { name: 'narrow', width: 360, height: 300, margin: { left: 52, right: 14, top: 16, bottom: 48 }, font: 12, logSteps: [1, 3] }

/** Score against mean latency per call, one point per model: the seed's latency paradox, at a glance. */
function scatter(board: SuiteBoard): string {
  const points = board.models.filter(model => model.avgLatencyMs > 0)
  if (points.length === 0) {
    return '<p class="muted">No model call was timed on this board.</p>'
  }
  const legend = '<p class="legend"><span class="key-local">● Local</span> <span class="key-cloud">■ Cloud API</span> <span class="key-embedded">◆ Embedded</span> · up and to the left is better</p>'
  return `${scatterSvg(board, points, wide)}${scatterSvg(board, points, narrow)}${legend}`
}

function scatterSvg(board: SuiteBoard, points: ModelResult[], geometry: PlotGeometry): string {
  const { width, height, margin, font } = geometry
  const latencies = points.map(model => model.avgLatencyMs)
  const minLatency = Math.min(...latencies)
  const maxLatency = Math.max(...latencies)
  const log = maxLatency / minLatency >= 8
  let xTicks: number[]
  let x: (ms: number) => number
  const plotWidth = width - margin.left - margin.right
  if (log) {
    const lo = Math.log10(minLatency) - 0.1
    const hi = Math.log10(maxLatency) + 0.1
    x = ms => margin.left + (Math.log10(ms) - lo) / (hi - lo) * plotWidth
    xTicks = []
    for (let power = Math.floor(lo); power <= Math.ceil(hi); power++) {
      for (const m of geometry.logSteps) {
        const value = m * 10 ** power
        if (Math.log10(value) >= lo && Math.log10(value) <= hi) {
          xTicks.push(value)
        }
      }
    }
  }
  else {
    const pad = Math.max((maxLatency - minLatency) * 0.1, maxLatency * 0.05)
    const lo = Math.max(0, minLatency - pad)
    const hi = maxLatency + pad
    x = ms => margin.left + (ms - lo) / (hi - lo) * plotWidth
    // about one tick per 70 units, so labels never touch
    xTicks = linearTicks(lo, hi, Math.max(3, Math.min(5, Math.floor(plotWidth / 70)))).filter(value => value >= lo && value <= hi)
  }
  const minPercent = Math.min(...points.map(model => model.percent))
  const yLo = Math.max(0, Math.floor((minPercent - 5) / 10) * 10)
  const plotHeight = height - margin.top - margin.bottom
  const y = (percent: number): number => margin.top + (100 - percent) / (100 - yLo || 1) * plotHeight
  const yTicks = linearTicks(yLo, 100).filter(value => value >= yLo && value <= 100)
  const axes = [
    `<line class="axis" x1="${margin.left}" y1="${height - margin.bottom}" x2="${width - margin.right}" y2="${height - margin.bottom}"/>`,
    `<line class="axis" x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${height - margin.bottom}"/>`,
    ...xTicks.map(value => `<g class="tick x-tick"><line x1="${x(value).toFixed(1)}" y1="${margin.top}" x2="${x(value).toFixed(1)}" y2="${height - margin.bottom}"/><text x="${x(value).toFixed(1)}" y="${height - margin.bottom + font + 4}" text-anchor="middle">${escapeHtml(formatLatency(value))}</text></g>`),
    ...yTicks.map(value => `<g class="tick y-tick"><line x1="${margin.left}" y1="${y(value).toFixed(1)}" x2="${width - margin.right}" y2="${y(value).toFixed(1)}"/><text x="${margin.left - 6}" y="${(y(value) + font / 3).toFixed(1)}" text-anchor="end">${escapeHtml(`${value}%`)}</text></g>`),
    `<text class="label" x="${margin.left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">${escapeHtml(`avg latency per model call${log ? ' (log scale)' : ''}`)}</text>`,
    `<text class="label" transform="rotate(-90)" x="${-(margin.top + plotHeight / 2)}" y="${font + 2}" text-anchor="middle">score %</text>`,
  ]
  // Labels go where they overlap no other label and no point (right, above, below, left of their point, then further
  // down); points that coincide, like the seed's two 96.7% at 2.6s, get their labels stacked instead of overprinted.
  type Box = { x1: number, y1: number, x2: number, y2: number }
  const overlaps = (a: Box, b: Box): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2
  const centres = points.map(model => ({ x: x(model.avgLatencyMs), y: y(model.percent) }))
  const taken: Box[] = centres.map(c => ({ x1: c.x - 7, y1: c.y - 7, x2: c.x + 7, y2: c.y + 7 }))
  const line = font + 1
  const marks = [...points].sort((a, b) => b.percent - a.percent || a.avgLatencyMs - b.avgLatencyMs).map((model) => {
    const cx = x(model.avgLatencyMs)
    const cy = y(model.percent)
    const textWidth = 0.55 * font * columnLabel(model).length
    const box = (lx: number, ly: number, anchor: 'start' | 'end'): Box => (anchor === 'start'
      ? { x1: lx, y1: ly - font + 2, x2: lx + textWidth, y2: ly + 2 }
      : { x1: lx - textWidth, y1: ly - font + 2, x2: lx, y2: ly + 2 })
    const fits = (b: Box): boolean => b.x1 >= 0 && b.x2 <= width && b.y1 >= 0 && b.y2 <= height - margin.bottom + 2
    const candidates: [number, number, 'start' | 'end'][] = [
      [cx + 9, cy + 4, 'start'], [cx + 6, cy - 9, 'start'], [cx + 6, cy + 5 + line, 'start'], [cx - 9, cy + 4, 'end'], [cx - 6, cy - 9, 'end'], [cx - 6, cy + 5 + line, 'end'],
    ]
    let chosen = candidates.find(([lx, ly, anchor]) => fits(box(lx, ly, anchor)) && !taken.some(t => overlaps(t, box(lx, ly, anchor))))
    if (!chosen) {
      const anchor = cx + 9 + textWidth > width ? 'end' : 'start'
      const lx = anchor === 'start' ? cx + 9 : cx - 9
      let ly = cy + 4
      while (ly < height && taken.some(t => overlaps(t, box(lx, ly, anchor)))) {
        ly += line
      }
      chosen = [lx, ly, anchor]
    }
    const [labelX, labelY, anchor] = chosen
    taken.push(box(labelX, labelY, anchor))
    const shape = model.where === 'cloud'
      ? `<rect x="${(cx - 5.5).toFixed(1)}" y="${(cy - 5.5).toFixed(1)}" width="11" height="11"/>`
      : model.where === 'local'
        ? `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="6"/>`
        : `<path d="M${cx.toFixed(1)} ${(cy - 7).toFixed(1)}L${(cx + 7).toFixed(1)} ${cy.toFixed(1)}L${cx.toFixed(1)} ${(cy + 7).toFixed(1)}L${(cx - 7).toFixed(1)} ${cy.toFixed(1)}Z"/>`
    return `<g class="point where-${escapeHtml(model.where)}"${attr('data-project', model.project)}${attr('data-percent', model.percent)}${attr('data-latency', model.avgLatencyMs)}${attr('data-x', cx.toFixed(2))}${attr('data-y', cy.toFixed(2))}><title>${escapeHtml(`${model.name}: ${model.percent.toFixed(1)}% at ${formatLatency(model.avgLatencyMs)} per call`)}</title>${shape}<text x="${labelX.toFixed(1)}" y="${labelY.toFixed(1)}" text-anchor="${anchor}">${escapeHtml(columnLabel(model))}</text></g>`
  })
  return `<svg class="scatter scatter-${geometry.name}" viewBox="0 0 ${width} ${height}" role="img"${attr('aria-label', `${board.title}: score versus average latency per call`)}>${axes.join('')}${marks.join('')}</svg>`
}

function costTable(board: SuiteBoard): string {
  const cloud = board.models.filter(model => model.where === 'cloud')
  const maxCost = Math.max(0, ...cloud.map(costPerRun))
  const rows = board.models.map((model) => {
    const isCloud = model.where === 'cloud'
    const bar = isCloud && maxCost > 0 ? `<span class="bar"${attr('style', `width:${(100 * costPerRun(model) / maxCost).toFixed(1)}%`)}></span>` : ''
    return `<tr${attr('data-project', model.project)}><td${attr('data-value', model.name)}>${escapeHtml(model.name)}</td><td>${escapeHtml(whereLabels[model.where])}</td>`
      + `<td class="num"${attr('data-value', model.runs)}>${model.runs}</td>`
      + `<td class="num"${attr('data-value', model.tokens.inputTokens)}>${model.tokens.inputTokens.toLocaleString('en-US')}</td>`
      + `<td class="num"${attr('data-value', model.tokens.outputTokens)}>${model.tokens.outputTokens.toLocaleString('en-US')}</td>`
      + `<td class="num total"${attr('data-value', model.cost)}>${isCloud ? escapeHtml(formatUsd(model.cost)) : '$0 after hardware'}</td>`
      + `<td class="num per-run"${attr('data-value', isCloud ? costPerRun(model) : '')}>${isCloud ? escapeHtml(formatUsd(costPerRun(model))) : '–'}</td>`
      + `<td class="bar-cell">${bar}</td></tr>`
  })
  const header = [th('Model', 'text'), '<th scope="col">Where</th>', th('Runs', 'num'), th('Tokens in', 'num'), th('Tokens out', 'num'), th('Total', 'num'), th('Per run', 'num'), '<th scope="col"></th>'].join('')
  const note = cloud.length === 0 ? '<p class="muted">No cloud model on this board: local and embedded models cost nothing per run once the hardware is paid for.</p>' : ''
  return `${note}${scrollBox(`${board.title} cost per run`, `<table class="cost sortable"><thead><tr>${header}</tr></thead><tbody>${rows.join('')}</tbody></table>`)}`
}

/** The coding-agent suite's metrics, as the seed's table: metric rows, model columns. */
function agentMetrics(board: SuiteBoard): string {
  const rows = agentMetricRows(board)
  const header = `<th scope="col">Metric</th>${board.models.map(model => `<th scope="col"${attr('title', model.name)}>${escapeHtml(columnLabel(model))}</th>`).join('')}`
  const body = rows.map(([label, value]) => `<tr><th scope="row">${escapeHtml(label)}</th>${board.models.map(model => `<td class="num"${attr('data-project', model.project)}>${escapeHtml(model.agent ? value(model.agent) : '–')}</td>`).join('')}</tr>`)
  return scrollBox(`${board.title} agent metrics`, `<table class="agent-metrics"><thead><tr>${header}</tr></thead><tbody>${body.join('')}</tbody></table>`)
}

function taskClass(score: number | null, max: number): string {
  if (score === null) {
    return 'none'
  }
  return score >= max ? 'full' : score > 0 ? 'partial' : 'zero'
}

function drillDown(board: SuiteBoard): string {
  return board.models.map((model) => {
    const categories = board.categories.map((category) => {
      const tasks = Object.entries(model.tasks).filter(([, task]) => task.category === category.id)
      if (tasks.length === 0) {
        return ''
      }
      const value = model.categories[category.id]
      const items = tasks.map(([taskId, task]) => {
        const spread = task.spread && task.spread.max > task.spread.min ? ` (range ${(task.spread.max - task.spread.min).toFixed(2)})` : ''
        const runs = `${task.runs.map(run => (run === null ? '–' : run.toFixed(2))).join(' · ')}${spread}`
        const score = task.score === null ? (task.skipped ? 'skipped' : 'not scored') : `${task.score.toFixed(2)}/${board.maxPerTask}`
        // what the failure filter reads: a run below full marks, a run the infrastructure lost (not scored)
        const lost = task.runs.some(run => run !== null && run < board.maxPerTask)
        const infra = task.runs.some(run => run === null)
        return `<details class="task ${taskClass(task.score, board.maxPerTask)}"${attr('data-suite', board.id)}${attr('data-project', rowKey(model))}${attr('data-task', taskId)}${lost ? ' data-lost=""' : ''}${infra ? ' data-infra=""' : ''}>`
          + `<summary><span class="task-id">${escapeHtml(taskId)}</span> <span class="score">${escapeHtml(score)}</span> <span class="muted runs-list">${escapeHtml(task.runs.length > 0 ? `runs ${runs}` : task.skipped ?? '')}</span></summary></details>`
      })
      return `<details class="category"${attr('data-category', category.id)}><summary>${escapeHtml(category.title)} <span class="score">${escapeHtml(value === undefined ? '–' : `${value.toFixed(2)}/${board.maxPerTask}`)}</span></summary>${items.join('')}</details>`
    }).join('')
    return `<details class="model"${attr('data-project', model.project)}><summary><span class="name">${escapeHtml(model.name)}</span> <span class="score">${escapeHtml(`${formatScore(board, model)} · ${model.percent.toFixed(1)}%`)}</span></summary>${categories}</details>`
  }).join('')
}

/** The drill-down's failure filter and text search; the page's script applies them to prompts and runs. */
function drillTools(board: SuiteBoard): string {
  return `<div class="drill-tools" role="search"${attr('aria-label', `${board.title}: filter and search runs`)}>`
    + '<label>Show <select class="drill-filter"><option value="all">all runs</option><option value="lost">runs that lost points</option><option value="infra">infrastructure errors</option></select></label> '
    + '<label>Search <input type="search" class="drill-search" placeholder="prompt, check, message" autocomplete="off" spellcheck="false"></label> '
    + '<span class="drill-status muted" aria-live="polite"></span></div>'
}

function suiteSection(board: SuiteBoard): string {
  const interval = intervalNote(board)
  const notes = [...footnotes(board), ...(interval ? [interval] : [])]
  const facts = findings(board)
  return `<section class="suite"${attr('id', `suite-${board.id}`)}${attr('data-suite', board.id)}>`
    + `<h2>${escapeHtml(board.title)} <small>${escapeHtml(`${board.id} ${board.version} · ${board.hash} · ${board.taskCount} prompts, max ${board.max}`)}</small></h2>`
    + (facts.length > 0 ? `<ul class="findings">${facts.map(line => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : '')
    + `<h3>Leaderboard</h3>${leaderboardTable(board)}`
    + (notes.length > 0 ? `<ul class="notes">${notes.map(line => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : '')
    + (board.models.some(model => model.repeats) ? `<h3>Repeats</h3>${repeatsTable(board)}` : '')
    + (board.models.some(model => model.agent) ? `<h3>Agent metrics</h3>${agentMetrics(board)}` : '')
    // Side by side while the heat map is narrow; one under the other once it has many model columns.
    + `<div class="${board.models.length <= 5 ? 'pair' : 'stack'}"><div><h3>Per category</h3>${heatMap(board)}</div><div><h3>Score versus latency</h3>${scatter(board)}</div></div>`
    + `<h3>Cost per run</h3>${costTable(board)}`
    + `<h3>Task difficulty</h3>${difficultyTable(board)}`
    + `<h3>Runs</h3><p class="muted">Model → category → prompt → run: each run's checks and transcript. Every run's score is also in <a href="runs.csv">runs.csv</a>.</p>${drillTools(board)}<p class="drill-empty muted" hidden>No run matches.</p><div class="drill">${drillDown(board)}</div>`
    + '</section>'
}

const style = `
:root{--bg:#fff;--fg:#1d2330;--muted:#667085;--line:#e3e6ec;--head:#f5f6f8;--accent:#2f5bd3;--local:#18864b;--cloud:#2f5bd3;--embedded:#8a5a00;--pass:#18864b;--fail:#c0362c}
@media (prefers-color-scheme:dark){:root{--bg:#14171d;--fg:#e6e8ec;--muted:#98a2b3;--line:#2c313a;--head:#1d2129;--accent:#7da2ff;--local:#4cc38a;--cloud:#7da2ff;--embedded:#e0a940;--pass:#4cc38a;--fail:#ff7b72}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 20px}
header{padding-top:18px}
h1{font-size:1.5rem;margin:0 0 4px}
h2{font-size:1.25rem;margin:28px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
h2 small{font-weight:400;color:var(--muted);font-size:.8rem}
h3{font-size:1rem;margin:18px 0 6px}
nav a{color:var(--accent);margin-right:14px;text-decoration:none}
.muted{color:var(--muted)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.scroll:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.scroll-box{position:relative}
.scroll-box::before,.scroll-box::after{content:"";position:absolute;top:0;bottom:0;width:24px;pointer-events:none;opacity:0;z-index:1}
.scroll-box::before{left:0;background:linear-gradient(to right,rgba(16,24,40,.28),rgba(16,24,40,0))}
.scroll-box::after{right:0;background:linear-gradient(to left,rgba(16,24,40,.28),rgba(16,24,40,0))}
.scroll-box[data-overflow~=left]::before,.scroll-box[data-overflow~=right]::after{opacity:1}
.scroll-hint{display:none;margin:2px 0 0;text-align:right;font-size:.8rem;color:var(--muted)}
.scroll-box[data-overflow~=right]+.scroll-hint{display:block}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 9px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
thead th{background:var(--head);font-weight:600}
th button{all:unset;cursor:pointer}
th button:focus-visible{outline:2px solid var(--accent);outline-offset:2px;border-radius:2px}
th button::after{content:" ↕";color:var(--muted);font-size:.8em}
th[aria-sort=ascending] button::after{content:" ▲";color:var(--accent)}
th[aria-sort=descending] button::after{content:" ▼";color:var(--accent)}
td.num,th.num{text-align:right}
td.model{white-space:normal;min-width:180px}
.key{color:var(--muted);font-size:.8em;font-family:ui-monospace,Menlo,monospace}
.medal{display:inline-block;min-width:1.7em;text-align:center;border-radius:1em;background:#f2c230;color:#3a2b00;font-weight:700}
.heatmap td.heat{text-align:center;color:#1d2330;font-weight:500}
.legend{font-size:.85rem;color:var(--muted);margin:6px 0}
.heat-legend span{display:inline-block;padding:1px 8px;color:#1d2330;margin-right:2px;border-radius:3px}
.key-local{color:var(--local)}.key-cloud{color:var(--cloud)}.key-embedded{color:var(--embedded)}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.2fr);gap:24px;align-items:start}
svg.scatter{width:100%;height:auto;max-width:720px;display:block}
svg.scatter.scatter-narrow{display:none}
svg.scatter .axis{stroke:var(--muted)}
svg.scatter .tick line{stroke:var(--line)}
svg.scatter text{fill:var(--muted);font-size:12px}
svg.scatter .point text{fill:var(--fg)}
svg.scatter .where-local circle{fill:var(--local);fill-opacity:.85}
svg.scatter .where-cloud rect{fill:var(--cloud);fill-opacity:.85}
svg.scatter .where-embedded path{fill:var(--embedded);fill-opacity:.85}
.stack>div{margin-bottom:8px}
.findings{background:var(--head);border-left:3px solid var(--accent);padding:8px 12px 8px 28px;margin:8px 0}
.notes{font-size:.85rem;color:var(--muted)}
.inseparable{color:var(--accent);font-weight:700;cursor:help}
.heat-explained{margin-top:0}
.drill{overflow-wrap:anywhere}
.drill pre,.drill .call,.drill .message,.drill summary{overflow-wrap:anywhere;word-break:break-word}
.drill-tools{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:6px 0 10px}
.drill-tools label{display:inline-flex;gap:6px;align-items:center;max-width:100%}
.drill-tools input,.drill-tools select{font:inherit;padding:3px 6px;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg);min-width:0;max-width:100%}
.cost .bar-cell{width:30%;min-width:80px}
.bar{display:inline-block;height:10px;background:var(--cloud);border-radius:2px}
details{margin:2px 0}
summary{cursor:pointer;padding:4px 6px;border-radius:4px}
summary:hover{background:var(--head)}
details details{margin-left:18px}
summary .score{font-variant-numeric:tabular-nums;color:var(--muted);margin-left:6px}
details.task summary .task-id{font-family:ui-monospace,Menlo,monospace;font-size:.9em}
details.task.full>summary::marker{color:var(--pass)}
details.task.partial>summary::marker,details.task.zero>summary::marker{color:var(--fail)}
details.task.partial>summary .score,details.task.zero>summary .score{color:var(--fail)}
.runs{margin:4px 0 10px 18px;border-left:2px solid var(--line);padding-left:10px}
ul.checks{list-style:none;padding:0;margin:4px 0 8px}
ul.checks li{padding:2px 0}
ul.checks .mark{display:inline-block;width:1.3em;font-weight:700}
ul.checks li.pass .mark{color:var(--pass)}
ul.checks li.fail .mark{color:var(--fail)}
ul.checks .points{color:var(--muted);font-variant-numeric:tabular-nums;margin:0 6px}
ul.checks .message{color:var(--muted);font-size:.9em}
ol.messages{padding-left:0;list-style:none;margin:4px 0}
ol.messages li{margin:6px 0;border:1px solid var(--line);border-radius:6px;padding:6px 8px}
ol.messages .role{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
ol.messages li.role-assistant{border-color:var(--accent)}
pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;font:12.5px/1.4 ui-monospace,Menlo,monospace}
.call{font-family:ui-monospace,Menlo,monospace;font-size:12.5px}
.call.fail{color:var(--fail)}
footer{color:var(--muted);font-size:.8rem;padding-top:24px;padding-bottom:24px}
@media (max-width:820px){.pair{grid-template-columns:minmax(0,1fr)}}
@media (max-width:560px){svg.scatter.scatter-wide{display:none}svg.scatter.scatter-narrow{display:block;max-width:420px}}
@media (max-width:600px){body{font-size:14px}header,main,footer{padding-left:10px;padding-right:10px}th,td{padding:5px 6px}td.model{min-width:130px}details details{margin-left:10px}.runs{margin-left:6px;padding-left:6px}}
`

// Runs in the page: sorting and the lazily built run level of the drill-down. Data goes into the DOM through
// textContent only, never as markup.
const script = `(() => {
  const data = JSON.parse(document.getElementById('milo-data').textContent)
  const node = (tag, className, text) => {
    const element = document.createElement(tag)
    if (className) element.className = className
    if (text !== undefined && text !== null) element.textContent = String(text)
    return element
  }
  const latency = ms => ms >= 1000 ? (ms / 1000).toFixed(1) + 's' : ms >= 10 ? Math.round(ms) + 'ms' : ms.toFixed(1) + 'ms'
  // Scroll boxes say which edges have more to see: a shadow there, and "scroll →" while more is to the right.
  const boxes = [...document.querySelectorAll('.scroll-box')]
  const edges = box => {
    const inner = box.firstElementChild
    const room = inner.scrollWidth - inner.clientWidth
    const sides = []
    if (room > 1 && inner.scrollLeft > 1) sides.push('left')
    if (room > 1 && inner.scrollLeft < room - 1) sides.push('right')
    box.dataset.overflow = sides.join(' ') || 'none'
  }
  for (const box of boxes) {
    box.firstElementChild.addEventListener('scroll', () => edges(box), { passive: true })
    edges(box)
  }
  window.addEventListener('resize', () => boxes.forEach(edges))
  for (const table of document.querySelectorAll('table.sortable')) {
    // rows that tie keep the table's own order (the ranking), whichever way and however often it is sorted
    const position = new Map([...table.tBodies[0].rows].map((row, index) => [row, index]))
    table.querySelectorAll('thead th').forEach((header, index) => {
      const button = header.querySelector('button')
      if (!button) return
      button.addEventListener('click', () => {
        const direction = header.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending'
        table.querySelectorAll('thead th').forEach(other => other.removeAttribute('aria-sort'))
        header.setAttribute('aria-sort', direction)
        const numeric = header.dataset.type === 'num'
        const value = row => row.cells[index] ? row.cells[index].dataset.value ?? '' : ''
        const rows = [...table.tBodies[0].rows]
        rows.sort((a, b) => {
          const x = value(a)
          const y = value(b)
          if (x === '' || y === '') return ((x === '' ? 1 : 0) - (y === '' ? 1 : 0)) || position.get(a) - position.get(b)
          const order = numeric ? Number(x) - Number(y) : x.localeCompare(y)
          return (direction === 'ascending' ? order : -order) || position.get(a) - position.get(b)
        })
        table.tBodies[0].append(...rows)
      })
    })
  }
  const checks = run => {
    const list = node('ul', 'checks')
    for (const check of run.checks) {
      const item = node('li', check.pass ? 'pass' : 'fail')
      item.append(node('span', 'mark', check.pass ? '✓' : '✗'), node('span', 'name', check.name),
        node('span', 'points', (check.score * check.points).toFixed(2) + '/' + check.points), node('span', 'message', check.message))
      list.append(item)
    }
    if (run.checks.length === 0) list.append(node('li', 'muted', 'no check recorded (the run ended before the rubric ran)'))
    return list
  }
  const transcript = view => {
    const box = node('div', 'transcript')
    const list = node('ol', 'messages')
    let step = 0
    for (const message of view.messages) {
      const item = node('li', 'role-' + message.role)
      let label = message.role
      if (message.role === 'assistant') {
        const info = view.steps[step++]
        if (info) label += ' · ' + latency(info.latencyMs) + (info.finishReason ? ' · ' + info.finishReason : '') + (info.retries ? ' · ' + info.retries + ' retries' : '')
      }
      item.append(node('div', 'role', label))
      if (message.content !== null && message.content !== '') item.append(node('pre', 'content', message.content))
      for (const call of message.calls || []) item.append(node('div', 'call', '→ ' + call.name + '(' + call.arguments + ')'))
      list.append(item)
    }
    box.append(list)
    const failed = view.toolCalls.filter(call => call.ok === false || call.source === 'text')
    for (const call of failed) {
      box.append(node('div', 'call fail', (call.source === 'text' ? 'written as text, not executed: ' : 'failed: ') + call.name + (call.error ? ' — ' + call.error : '')))
    }
    return box
  }
  const taskView = details => ((data.suites[details.dataset.suite] || {})[details.dataset.project] || {})[details.dataset.task]
  // The failure filter and the search: a run shows when it passes the filter and its text (the prompt's id, model and
  // category, then the run's end reason, error, check names and messages) holds every word searched for.
  const texts = new Map()
  const textsOf = details => {
    if (!texts.has(details)) {
      const model = details.closest('details.model')
      const category = details.closest('details.category')
      const base = [details.dataset.task, details.dataset.project, model ? model.querySelector(':scope > summary .name').textContent : '', category ? category.firstElementChild.textContent : ''].join('\\n')
      const view = taskView(details)
      const runs = new Map((view ? view.runs : []).map(run => [run, [base, run.endReason, run.error || '', ...run.checks.flatMap(check => [check.name, check.message])].join('\\n').toLowerCase()]))
      texts.set(details, { base: base.toLowerCase(), runs })
    }
    return texts.get(details)
  }
  const criteria = section => ({
    mode: section.querySelector('.drill-filter').value,
    words: section.querySelector('.drill-search').value.toLowerCase().split(/\\s+/).filter(Boolean),
  })
  const runShows = (run, text, { mode, words }) => (mode === 'all' || (mode === 'lost' ? run.score !== null && run.score < run.maxScore : run.score === null))
    && words.every(word => text.includes(word))
  const filterRuns = (details, wanted) => {
    const view = taskView(details)
    const active = wanted.mode !== 'all' || wanted.words.length > 0
    for (const item of details.querySelectorAll('details.run')) {
      const run = view && view.runs.find(r => String(r.repeat) === item.dataset.repeat)
      item.hidden = active && run !== undefined && !runShows(run, textsOf(details).runs.get(run), wanted)
    }
  }
  const applyFilter = section => {
    const wanted = criteria(section)
    const active = wanted.mode !== 'all' || wanted.words.length > 0
    let prompts = 0
    let runs = 0
    for (const details of section.querySelectorAll('details.task')) {
      const { base, runs: runTexts } = textsOf(details)
      let shown = 0
      if (!active) shown = 1
      else if (runTexts.size > 0) shown = [...runTexts].filter(([run, text]) => runShows(run, text, wanted)).length
      else shown = (wanted.mode === 'all' || details.hasAttribute(wanted.mode === 'lost' ? 'data-lost' : 'data-infra')) && wanted.words.every(word => base.includes(word)) ? 1 : 0
      details.hidden = shown === 0
      if (shown > 0) {
        prompts++
        runs += shown
      }
      filterRuns(details, wanted)
    }
    for (const group of section.querySelectorAll('.drill details.category, .drill details.model')) {
      const any = group.querySelector('details.task:not([hidden])') !== null
      group.hidden = active && !any
      if (active && any) group.open = true
    }
    section.querySelector('.drill-status').textContent = active ? (prompts === 0 ? '' : prompts + (prompts === 1 ? ' prompt, ' : ' prompts, ') + runs + (runs === 1 ? ' run' : ' runs') + ' match') : ''
    section.querySelector('.drill-empty').hidden = !active || prompts > 0
  }
  for (const section of document.querySelectorAll('section.suite')) {
    const tools = section.querySelector('.drill-tools')
    if (!tools) continue
    tools.querySelector('.drill-filter').addEventListener('change', () => applyFilter(section))
    tools.querySelector('.drill-search').addEventListener('input', () => applyFilter(section))
  }
  const buildRuns = details => {
    const task = taskView(details)
    const box = node('div', 'runs')
    if (!task) {
      box.append(node('p', 'muted', 'No run records for this prompt in results/runs (deleted, or from another results folder).'))
    }
    else {
      box.append(node('p', 'muted', 'reporter run ' + task.runId))
      for (const run of task.runs) {
        const item = node('details', 'run')
        item.dataset.repeat = String(run.repeat)
        const score = run.score === null ? 'not scored' : run.score.toFixed(2) + '/' + run.maxScore
        item.append(node('summary', '', 'Run ' + (run.repeat + 1) + ': ' + score + ' · ' + run.endReason + ' · ' + run.calls + ' calls · ' + run.toolCalls + ' tool calls · ' + latency(run.latencyMs) + (run.cached ? ' · cached' : '')))
        if (run.error) item.append(node('p', 'call fail', run.error))
        item.append(node('h4', '', 'Checks'), checks(run))
        if (run.transcript) item.append(node('h4', '', 'Transcript'), transcript(run.transcript))
        else item.append(node('p', 'muted', 'Transcript not kept in this page.'))
        if (run.score === null || run.score < run.maxScore) item.open = true
        box.append(item)
      }
    }
    details.append(box)
  }
  document.addEventListener('toggle', event => {
    const details = event.target
    if (details instanceof HTMLDetailsElement && details.classList.contains('task') && details.open && !details.dataset.built) {
      details.dataset.built = '1'
      buildRuns(details)
      const section = details.closest('section.suite')
      if (section) filterRuns(details, criteria(section))
    }
  }, true)
})()`

/** JSON safe inside a <script> element: no `<` can close it or open a comment. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

/** The whole page. Deterministic: the same leaderboard and data give the same bytes. */
export function renderHtml(board: LeaderboardFile, data: ReportData): string {
  const suites = Object.values(board.suites)
  const scriptHash = createHash('sha256').update(script).digest('base64')
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:; base-uri 'none'; form-action 'none'`
  const nav = suites.map(suite => `<a${attr('href', `#suite-${suite.id}`)}>${escapeHtml(suite.title)}</a>`).join('')
  const models = new Set(suites.flatMap(suite => suite.models.map(model => model.project)))
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"${attr('content', csp)}>
<title>milo-bench leaderboard</title>
<style>${style}</style>
</head>
<body>
<header><h1>milo-bench leaderboard</h1>
<p class="muted">${escapeHtml(`Updated ${board.updatedAt} · ${suites.length} suite${suites.length === 1 ? '' : 's'}, ${models.size} model${models.size === 1 ? '' : 's'} · harness ${board.harness.version}, Vitest ${board.harness.vitest}`)}</p>
<nav>${nav}<a href="runs.csv" class="csv" download>Every run as CSV (runs.csv)</a></nav>${data.note ? `<p class="muted">${escapeHtml(data.note)}</p>` : ''}</header>
<main>${suites.length === 0 ? '<p>No results yet: run <code>npm run bench</code>.</p>' : suites.map(suiteSection).join('')}</main>
<footer>Written by the milo-bench leaderboard reporter from results/leaderboard.json, results/runs/ and results/transcripts/. Self-contained: no network.</footer>
<script type="application/json" id="milo-data">${scriptJson(data)}</script>
<script>${script}</script>
</body>
</html>
`
}

/** Renders the page from the results folder and writes `leaderboard.html` into it; returns its path. */
export function writeHtml(outputDir: string, board: LeaderboardFile, options: ReportOptions = {}): string {
  const path = join(outputDir, 'leaderboard.html')
  writeFileAtomic(path, renderHtml(board, loadReportData(outputDir, board, options)))
  return path
}

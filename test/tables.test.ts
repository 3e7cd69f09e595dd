// The seed's round-2 tables, rendered from plain boards built by the real scoring: one model's categories with the
// seed's notes ("3 perfect, 1 partial (0.60)"), and two models side by side ("0.90 (3.6/4)", "Both perfect.").

import type { TestOutcome } from '../src/core/scoring.ts'
import type { ModelResult, Suite, SuiteBoard } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { emptyBoard } from '../src/core/leaderboard.ts'
import { rank, summarize } from '../src/core/scoring.ts'
import { intervalNote, leaderboardTable, modelCategoryTable, renderSuite, repeatNotes, sideBySideTable, testsNote } from '../reporters/tables.ts'
import { columnLabel } from '../src/core/rows.ts'

const shape: Record<string, [string, number]> = {
  'tool-calling': ['Tool calling', 5],
  'multi-step': ['Multi-step', 4],
  'long-context': ['Long context', 4],
  'agentic-workflow': ['Agentic workflow', 5],
}

const suite: Suite = {
  id: 'v1',
  title: 'Suite v1.0',
  version: '1.0.0',
  maxScore: 1,
  runs: 1,
  aggregate: 'macro-mean',
  categories: Object.entries(shape).map(([id, [title, count]]) => ({
    id,
    title,
    tasks: Array.from({ length: count }, (_, i) => ({ id: `${id}-${i + 1}`, prompt: `${id} ${i}`, tools: [], expect: {}, solution: [{ final: '' }] })),
  })),
}

/** A model's result from its task scores per category (null: skipped for its context). */
function result(project: string, scores: Record<string, (number | null)[]>): ModelResult {
  const model = { key: project, name: `Model ${project}`, model: project, baseURL: 'x', server: 'vllm' as const, where: 'local' as const, context: { label: '32K', tokens: 32_768 } }
  const outcomes: TestOutcome[] = Object.entries(scores).flatMap(([category, values]) => values.map((score, i) => ({
    project,
    model,
    suite: 'v1',
    hash: 'h',
    category,
    taskId: `${category}-${i + 1}`,
    maxScore: 1,
    points: 1,
    runs: score === null ? [] : [{ repeat: 0, endReason: 'final' as const, calls: 1, toolCalls: 1, toolErrors: 0, textToolCalls: 0, latencyMs: 10, usage: { inputTokens: 1, outputTokens: 1 }, retries: 0, checks: [{ name: 'c', pass: score === 1, score, points: 1, message: '' }] }],
    ...(score === null ? { skipped: 'needs about 64000 tokens; m declares 32K' } : {}),
    runId: 'r',
    finishedAt: 't',
  })))
  return summarize(suite, 'h', outcomes)
}

// The seed's two models: a cloud model with a lost agentic category, a local one with partial credit everywhere.
const cloud = result('cloud', {
  'tool-calling': [1, 1, 1, 1, 1],
  'multi-step': [1, 1, 1, 0.6],
  'long-context': [1, 1, 1, 1],
  'agentic-workflow': [1, 0, 0, 0, 0],
})
const local = result('local', {
  'tool-calling': [1, 1, 1, 1, 1],
  'multi-step': [1, 1, 0.6, 1],
  'long-context': [1, 1, 1, 0.33],
  'agentic-workflow': [1, 0.6, 0.5, 0.46, 0.4],
})
const board: SuiteBoard = { ...emptyBoard(suite, { id: 'v1', version: '1.0.0', hash: 'h' }), models: rank([cloud, local]) }

describe('testsNote', () => {
  it('speaks as the seed does: perfect, partial with scores, partial credit, zeros, skipped', () => {
    expect(testsNote(board, cloud, 'tool-calling')).toBe('5/5 perfect')
    expect(testsNote(board, cloud, 'multi-step')).toBe('3 perfect, 1 partial (0.60)')
    expect(testsNote(board, cloud, 'agentic-workflow')).toBe('1/5 perfect, 4 scored 0')
    expect(testsNote(board, local, 'agentic-workflow')).toBe('1 perfect, 4 partial (0.60, 0.50, 0.46, 0.40)')
    const partial = result('p', { 'multi-step': [0.8, 0.6, 0.7, 0.9] })
    expect(testsNote(board, partial, 'multi-step')).toBe('4/4 partial credit')
    const small = result('s', { 'long-context': [1, 1, null, null] })
    expect(testsNote(board, small, 'long-context')).toBe('2/2 perfect, 2 skipped')
    expect(testsNote(board, small, 'agentic-workflow')).toBe('–')
  })
})

describe('modelCategoryTable', () => {
  it('one model: Category | Score | Tests | Notes, with what lost points and what was skipped, and the overall row', () => {
    const text = modelCategoryTable(board, local)
    expect(text).toMatch(/^\| Category +\| Score \| Tests +\| Notes +\|/)
    expect(text).toMatch(/\| Long context +\| 0\.83 +\| 3 perfect, 1 partial \(0\.33\) +\| below full marks: long-context-4 0\.33 +\|/)
    expect(text).toMatch(/\| Overall +\| 0\.83 +\| 18 tests \(14\.89\/18\) +\| Average across categories\. +\|/)
    const small = result('s', { 'long-context': [1, 1, null, null] })
    expect(modelCategoryTable(board, small)).toContain('long-context-3 skipped (needs about 64000 tokens; m declares 32K)')
  })
})

describe('column labels', () => {
  it('name a custom row by its model and endpoint\'s host, so two custom rows never share a column', () => {
    expect(columnLabel({ project: 'oracle', model: 'oracle' })).toBe('oracle')
    expect(columnLabel({ project: 'custom', model: 'qwen' })).toBe('custom')
    const at = (host: string): ModelResult => ({ ...result('custom', { 'tool-calling': [1] }), model: 'qwen', endpoint: `http://${host}/v1` })
    const text = renderSuite({ ...board, models: rank([cloud, at('10.0.0.5:8000'), at('10.0.0.6:8000')]) })
    expect(text).toMatch(/\| Category +\| cloud +\| custom qwen@10\.0\.0\.5:8000 +\| custom qwen@10\.0\.0\.6:8000 +\|/)
  })
})

describe('sideBySideTable', () => {
  it('two models: score (sum/tests) per category and a note saying who takes it', () => {
    const text = sideBySideTable(board, cloud, local)
    expect(text).toMatch(/^\| Category +\| Model cloud +\| Model local +\| Notes +\|/)
    expect(text).toMatch(/\| Tool calling +\| 1\.00 \(5\/5\) +\| 1\.00 \(5\/5\) +\| Both perfect\. +\|/)
    expect(text).toMatch(/\| Multi-step +\| 0\.90 \(3\.6\/4\) +\| 0\.90 \(3\.6\/4\) +\| Tied: cloud 3 perfect, 1 partial \(0\.60\); local 3 perfect, 1 partial \(0\.60\)\. +\|/)
    expect(text).toMatch(/\| Long context +\| 1\.00 \(4\/4\) +\| 0\.83 \(3\.33\/4\) +\| cloud takes this \(\+0\.17\); local: 3 perfect, 1 partial \(0\.33\)\. +\|/)
    expect(text).toMatch(/\| Agentic workflow +\| 0\.20 \(1\/5\) +\| 0\.59 \(2\.96\/5\) +\| local takes this \(\+0\.39\); cloud: 1\/5 perfect, 4 scored 0\. +\|/)
    expect(text).toMatch(/\| Overall +\| 0\.78 \(13\.6\/18\) +\| 0\.83 \(14\.89\/18\) +\| local ahead overall\. +\|/)
  })

  it('renderSuite prints it for the top two models of a macro-mean suite, and not for a sum suite', () => {
    expect(renderSuite(board)).toContain('### Model local vs Model cloud')
    expect(renderSuite({ ...board, aggregate: 'sum' })).not.toContain(' vs ')
    expect(renderSuite({ ...board, models: [cloud] })).not.toContain(' vs ')
  })
})

describe('the score\'s interval and the repeats', () => {
  const cells = (text: string, project: string): string[] => (text.split('\n').find(line => line.includes(`Model ${project} `))?.split('|').map(cell => cell.trim()) ?? [])

  it('puts the 95% CI beside the score and marks a model its interval cannot tell from the one ranked above', () => {
    const text = leaderboardTable(board)
    expect(text).toMatch(/^\| Rank +\| Model +\| Score +\| 95% CI +\| Sum +\| % +\| Avg Latency +\| Context +\| Where +\|/)
    const [top, second] = board.models
    expect(cells(text, top?.project ?? '')[4]).toBe(`${top?.interval?.low.toFixed(2)}–${top?.interval?.high.toFixed(2)}`)
    // the two seed models score 0.78 and 0.83 on 18 tests: their intervals overlap, so the second is marked
    expect(cells(text, second?.project ?? '')[4]).toBe(`${second?.interval?.low.toFixed(2)}–${second?.interval?.high.toFixed(2)} ≈`)
    expect(intervalNote(board)).toMatch(/^95% CI: the score's 95% interval from a bootstrap over prompts \(2000 resamples within categories, seed \d+, .*; ≈ marks a model whose interval overlaps the one of the model ranked just above it: the two are not separable on this suite$/)
    // far apart: no mark, and the note says so
    const apart = { ...board, models: board.models.map((model, i) => ({ ...model, interval: { ...model.interval!, low: 0.9 - i * 0.5, high: 0.95 - i * 0.5 } })) }
    expect(leaderboardTable(apart)).not.toContain('≈')
    expect(intervalNote(apart)).toMatch(/no neighbouring ranked models overlap$/)
  })

  it('prints "–" and no note for rows written before intervals existed', () => {
    const old = { ...board, models: board.models.map(({ interval, repeats, ...model }) => model) }
    expect(cells(leaderboardTable(old), 'local')[4]).toBe('–')
    expect(intervalNote(old)).toBeUndefined()
    expect(repeatNotes(old)).toEqual([])
    expect(renderSuite(old)).not.toMatch(/95% CI:|repeats/)
  })

  it('gives each model\'s pass^k and spread as a note, saying what pass^k is', () => {
    const three = { ...board, models: board.models.map(model => ({ ...model, repeats: { passK: [0.8, 0.7, 0.65], tasks: 18, varying: 4, meanRange: 0.25, meanSd: 0.1 } })) }
    expect(repeatNotes(three)).toEqual([
      'repeats: pass^k is the chance that k runs of a prompt all score full marks (tau-bench), averaged over prompts',
      ...three.models.map(model => `repeats ${model.project}: pass^1 0.80 · pass^2 0.70 · pass^3 0.65; run scores vary on 4 of 18 prompts (mean range 0.25, mean SD 0.10, of 1)`),
    ])
    expect(repeatNotes(board)).toContain(`repeats local: pass^1 ${local.repeats?.passK[0]?.toFixed(2)} (one run per prompt: no spread)`)
    expect(renderSuite(three)).toContain('- repeats cloud: pass^1 0.80')
    // the interval's note sits right under the leaderboard, the repeats with the other notes at the end
    const printed = renderSuite(three)
    expect(printed).toContain(`${leaderboardTable(three)}\n\n${intervalNote(three)}\n\n| Category`)
    expect(printed.trimEnd().endsWith(`- ${repeatNotes(three).at(-1)}`)).toBe(true)
  })
})

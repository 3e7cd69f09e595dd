// The seed's round-2 tables, rendered from plain boards built by the real scoring: one model's categories with the
// seed's notes ("3 perfect, 1 partial (0.60)"), and two models side by side ("0.90 (3.6/4)", "Both perfect.").

import type { TestOutcome } from '../src/scoring.ts'
import type { ModelResult, Suite, SuiteBoard } from '../src/types.ts'
import { describe, expect, it } from 'vitest'
import { emptyBoard } from '../src/leaderboard.ts'
import { rank, summarize } from '../src/scoring.ts'
import { modelCategoryTable, renderSuite, sideBySideTable, testsNote } from '../reporters/tables.ts'

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

import type { ModelResult, SuiteBoard } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { evaluateGate } from '../src/core/gate.ts'
import { gateFromSettings } from '../reporters/leaderboard-reporter.ts'
import { fraction } from '../src/node/settings.ts'

const fractionOf = (raw: string): { minScore?: number } => { const minScore = fraction({ MILO_MIN_SCORE: raw }, 'MILO_MIN_SCORE', 'for 90%, write 0.9'); return minScore === undefined ? {} : { minScore } }

const result = (project: string, score: number, extra: Partial<ModelResult> = {}): ModelResult => ({
  project, name: project, model: project, where: 'local', context: '128K', rank: 1, score, max: 60, percent: score / 0.6, avgLatencyMs: 1,
  categories: { 'multi-step': 2.5, 'single-tool': 3 }, tasks: { t: { category: 'single-tool', score: 3, runs: [3] } }, complete: true, comparable: true, hash: 'h',
  runs: 60, infraErrors: 0, retries: 0, modelCalls: 1, toolCalls: 1, toolErrors: 0, textToolCalls: 0, tokens: { inputTokens: 0, outputTokens: 0 }, cost: 0, endReasons: {}, runId: 'r', finishedAt: 't', ...extra,
})
const board = (models: ModelResult[]): Record<string, SuiteBoard> => ({
  classic: { id: 'classic', title: 'classic', version: '1', hash: 'h', aggregate: 'sum', max: 60, taskCount: 20, maxPerTask: 3, categories: [], models },
})
const ran = (entries: Record<string, string[]>) => new Map(Object.entries(entries))

describe('evaluateGate', () => {
  it('passes when every score is at or above its threshold, even with failed prompts', () => {
    const verdict = evaluateGate({ minScore: 0.9 }, board([result('candidate', 55)]), ran({ candidate: ['classic'] }))
    expect(verdict).toEqual({ ok: true, failures: [], active: true })
  })
  it('fails with one line naming the project, the suite, the score and the threshold', () => {
    const verdict = evaluateGate({ minScore: 0.95 }, board([result('candidate', 55)]), ran({ candidate: ['classic'] }))
    expect(verdict.ok).toBe(false)
    expect(verdict.failures).toEqual(['candidate classic: score 91.7% is below the threshold 95.0%'])
  })
  it('checks per-category thresholds as a fraction of the per-task maximum', () => {
    const verdict = evaluateGate({ categories: { 'classic/multi-step': 0.9 } }, board([result('candidate', 58)]), ran({ candidate: ['classic'] }))
    expect(verdict.failures).toEqual(['candidate classic/multi-step: score 83.3% is below the threshold 90.0%'])
  })
  it('lets a project override the thresholds for itself', () => {
    const verdict = evaluateGate({ minScore: 0.99, projects: { candidate: { minScore: 0.5 } } }, board([result('candidate', 40)]), ran({ candidate: ['classic'] }))
    expect(verdict.ok).toBe(true)
  })
  it('replaces the global thresholds with a project\'s own', () => {
    const policy = { suites: { classic: 0.9 }, projects: { candidate: { minScore: 0.4 } } }
    expect(evaluateGate(policy, board([result('candidate', 30)]), ran({ candidate: ['classic'] })).ok).toBe(true)
    expect(evaluateGate(policy, board([result('other', 30)]), ran({ other: ['classic'] })).failures).toEqual(['other classic: score 50.0% is below the threshold 90.0%'])
  })
  it('fails a suite or category that has a threshold but did not run', () => {
    expect(evaluateGate({ suites: { v1: 0.5 } }, board([result('candidate', 60)]), ran({ candidate: ['classic'] })).failures).toEqual(['candidate v1: has a threshold but did not run'])
    expect(evaluateGate({ categories: { 'v1/coding': 0.5 } }, board([result('candidate', 60)]), ran({ candidate: ['classic'] })).failures).toEqual(['candidate v1/coding: has a threshold but its suite did not run'])
    expect(evaluateGate({ categories: { 'classic/nope': 0.5 } }, board([result('candidate', 60)]), ran({ candidate: ['classic'] })).failures).toEqual(['candidate classic/nope: has a threshold but no score'])
  })
  it('fails closed: an incomplete run, a project with no score, or an empty run never passes', () => {
    expect(evaluateGate({ projects: { candidate: { minScore: 0.5 } } }, board([]), ran({}))).toEqual({ ok: false, failures: ['no project ran: nothing to gate'], active: true })
    expect(evaluateGate({ minScore: 0.1 }, board([result('candidate', 60, { complete: false })]), ran({ candidate: ['classic'] })).ok).toBe(false)
    expect(evaluateGate({ minScore: 0.1 }, board([]), ran({ candidate: [] }), new Map([['candidate', 'KEY is not set']])).failures)
      .toEqual(['candidate: no score: KEY is not set'])
    expect(evaluateGate({ minScore: 0.1 }, board([]), ran({})).ok).toBe(false)
  })
  it('is inactive without thresholds', () => {
    expect(evaluateGate({}, board([result('candidate', 1)]), ran({ candidate: ['classic'] }))).toEqual({ ok: true, failures: [], active: false })
  })
})

describe('gateFromSettings', () => {
  it('adds MILO_MIN_SCORE, as the settings parsed it, to the config\'s gate', () => {
    expect(gateFromSettings({}, fractionOf('0.9'))).toEqual({ minScore: 0.9 })
    expect(() => fractionOf('90')).toThrow(/MILO_MIN_SCORE=90 is not a fraction/)
    expect(gateFromSettings({ suites: { v1: 0.5 } }, {})).toEqual({ suites: { v1: 0.5 } })
  })
})

describe('settings from the environment', () => {
  it('name the variable when a number is not one', async () => {
    const { customEntry, positiveNumber } = await import('../src/node/matrix.ts')
    expect(() => customEntry({ MILO_BASE_URL: 'http://127.0.0.1:1/v1', MILO_MODEL: 'm', MILO_CONCURRENCY: 'four' })).toThrow('MILO_CONCURRENCY=four is not a positive whole number')
    expect(() => positiveNumber({ MILO_BUDGET_SCALE: '-1' }, 'MILO_BUDGET_SCALE', 1, false)).toThrow('MILO_BUDGET_SCALE=-1 is not a positive number')
    expect(positiveNumber({ MILO_BUDGET_SCALE: '0.01' }, 'MILO_BUDGET_SCALE', 1, false)).toBe(0.01)
    expect(positiveNumber({}, 'MILO_WORKERS', 8)).toBe(8)
  })
})

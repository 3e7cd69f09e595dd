// Size caps on what is stored about a run, on plain data: texts cut in the middle with a marker, lists kept to their
// ends, a transcript line under 512 KB and a run record under 64 KB whatever a model sent, with scores unchanged;
// and the results-file reader that reads any size a piece at a time.

import type { RunMeta, Transcript } from '../src/core/types.ts'
import { appendFileSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readJsonLines } from '../reporters/jsonl.ts'
import { capList, capRunMeta, capText, capTranscript, maxRunRecordChars, maxTranscriptChars } from '../src/core/record-caps.ts'
import { scoreRun } from '../src/core/scoring.ts'

const huge = (n: number, fill = 'x'): string => `START${fill.repeat(n)}END`

function transcript(messages: number, size: number): Transcript {
  // One string, shared by every field: the transcript is as large as sent, the test's memory is not.
  const body = huge(size)
  const args = JSON.stringify({ a: body })
  return {
    taskId: 't', model: 'm', tools: [], env: {}, finalText: body, endReason: 'step_cap', latencyMs: 1, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0,
    messages: Array.from({ length: messages }, (_, i) => ({
      role: 'assistant' as const,
      content: body,
      tool_calls: Array.from({ length: 50 }, (_, j) => ({ id: `c${i}x${j}`, type: 'function' as const, function: { name: 'f', arguments: args } })),
      reasoning_content: body,
    })),
    steps: Array.from({ length: messages }, (_, i) => ({ index: i, latencyMs: 1, finishReason: 'tool_calls', usage: { inputTokens: 0, outputTokens: 0 }, retries: 0, content: body, reasoning: body, toolCallIds: [], textToolCalls: 0 })),
    toolCalls: Array.from({ length: messages }, (_, i) => ({ step: i, id: `c${i}`, name: 'f', arguments: { a: body }, rawArguments: args, source: 'native' as const, outcome: { ok: true as const, result: { echo: body } } })),
  }
}

describe('capText and capList', () => {
  it('cut in the middle: the start and the end stay, with a marker saying how much went', () => {
    expect(capText('short', 10)).toBe('short')
    expect(capText('abcdefghijklmnopqrstuvwxyz', 10)).toBe('abcde[… 16 characters cut …]vwxyz')
    expect(capList([1, 2, 3, 4, 5, 6, 7], 4)).toEqual({ items: [1, 2, 6, 7], cut: 3 })
  })
})

describe('capTranscript: under 512 KB whatever the model sent', () => {
  it('200 steps, each message with 50 calls of 100 KB arguments (about 1 GB as sent): the stored transcript is under the limit', () => {
    const capped = capTranscript(transcript(200, 100_000))
    expect(JSON.stringify(capped).length).toBeLessThan(maxTranscriptChars)
    expect(capped.cut).toEqual({ messages: expect.any(Number), steps: expect.any(Number), toolCalls: expect.any(Number) })
    const first = capped.messages[0]
    expect(first?.content).toMatch(/^STARTx+\[… \d+ characters cut …\]x+END$/)
    expect(first?.tool_calls?.[0]?.function.arguments).toMatch(/^\{"a":"STARTx+\[… \d+ characters cut …\]x+END"\}$/)
    expect(capped.toolCalls[0]?.arguments).toEqual({ '[cut]': expect.stringMatching(/characters cut/) })
    expect(capped.toolCalls[0]?.outcome).toMatchObject({ ok: true, result: { '[cut]': expect.stringMatching(/characters cut/) } })
    // The last entries are kept too: where a run ended matters as much as where it began.
    expect(capped.toolCalls.at(-1)?.step).toBe(199)
  })

  it('a small transcript is left as it is, and capping twice changes nothing more', () => {
    const small = transcript(2, 10)
    expect(capTranscript(small)).toEqual(small)
    const once = capTranscript(transcript(100, 50_000))
    expect(capTranscript(once)).toEqual(once)
  })
})

describe('capRunMeta: a run record under 64 KB with the same score', () => {
  it('many checks with huge messages: capped, and the score they earn is unchanged', () => {
    const run: RunMeta = {
      repeat: 0, endReason: 'final', calls: 1, toolCalls: 1, toolErrors: 0, textToolCalls: 0, latencyMs: 1, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0,
      error: { kind: 'server', message: huge(1_000_000), infrastructure: false },
      checks: Array.from({ length: 500 }, (_, i) => ({ name: `check ${i}`, pass: i % 3 === 0, score: i % 3 === 0 ? 1 : 0.25, points: 1 + (i % 2), message: huge(100_000) })),
    }
    const capped = capRunMeta(run)
    expect(JSON.stringify(capped).length).toBeLessThan(maxRunRecordChars)
    expect(scoreRun(capped, 3, 750)).toBe(scoreRun(run, 3, 750))
    expect(capped.checks.some(check => check.name.includes('checks cut'))).toBe(true)
  })
})

describe('readJsonLines: any size, a piece at a time', () => {
  it('skips a partial last line and a line longer than the limit, keeps the rest', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'milo-jsonl-')), 'x.jsonl')
    writeFileSync(file, `${JSON.stringify({ n: 1 })}\n${JSON.stringify({ big: 'y'.repeat(5000) })}\n${JSON.stringify({ n: 2 })}\n{"n": 3, "cut`)
    expect(readJsonLines(file, () => true, 1000)).toEqual({ rows: [{ n: 1 }, { n: 2 }], skipped: 2 })
    expect(readJsonLines<{ n?: number }>(file, row => row.n === 2, 1000).rows).toEqual([{ n: 2 }])
    expect(readJsonLines(join(file, 'missing'))).toEqual({ rows: [], skipped: 0 })
  })

  it('a file past the longest string Node can hold (600 MB, sparse) reads without holding it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'milo-jsonl-')), 'big.jsonl')
    writeFileSync(file, `${JSON.stringify({ n: 1 })}\n`)
    truncateSync(file, 600 * 1024 * 1024)
    appendFileSync(file, `\n${JSON.stringify({ n: 2 })}\n`)
    expect(readJsonLines(file)).toEqual({ rows: [{ n: 1 }, { n: 2 }], skipped: 1 })
  })
})

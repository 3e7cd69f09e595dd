// The seeded haystack generator and the long-context tasks built from it: same seed, same bytes; sizes as declared;
// every needle exactly once, where its depth says; nothing in the filler that looks like a needle.

import type { AnswerSpec } from '../src/core/answers.ts'
import { describe, expect, it } from 'vitest'
import { specFacts } from '../src/core/answers.ts'
import longContextSpec from '../fixtures/v1/long-context.json' with { type: 'json' }
import { v1 } from '../fixtures/suites.ts'
import { estimateTokens } from '../src/runtime/bench.ts'
import { charsPerToken, generateHaystack, mulberry32 } from '../src/core/haystack.ts'

const needles = [
  { text: 'The access code for the Alder storage room is QX-4471.', depth: 0.25 },
  { text: 'The backup generator\'s serial number is GEN-58213-K.', depth: 0.9 },
]

describe('mulberry32', () => {
  it('gives the same sequence for the same seed, a different one for another seed, all in [0, 1)', () => {
    const a = mulberry32(7)
    const b = mulberry32(7)
    const c = mulberry32(8)
    const first = Array.from({ length: 1000 }, () => a())
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first)
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(first)
    expect(first.every(value => value >= 0 && value < 1)).toBe(true)
    expect(new Set(first).size).toBeGreaterThan(990)
  })
})

describe('generateHaystack', () => {
  it('is byte-identical across calls, whatever is generated in between, and changes with the seed', () => {
    const spec = { seed: 120401, tokens: 120_000, needles }
    const once = generateHaystack(spec)
    generateHaystack({ seed: 1, tokens: 5000, needles: [] })
    const again = generateHaystack({ ...spec, needles: needles.map(needle => ({ ...needle })) })
    expect(again === once).toBe(true)
    expect(Buffer.from(again).equals(Buffer.from(once))).toBe(true)
    expect(generateHaystack({ ...spec, seed: 120402 })).not.toBe(once)
  })

  it.each([8000, 30_000, 64_000, 120_000])('makes %i tokens within one paragraph of the declared size', (tokens) => {
    const text = generateHaystack({ seed: tokens, tokens, needles })
    expect(text.length).toBeGreaterThanOrEqual(tokens * charsPerToken - 2)
    expect(text.length).toBeLessThan(tokens * charsPerToken + 1000)
  })

  it('places each needle once, at its depth, on a paragraph boundary; the filler has no digits', () => {
    const text = generateHaystack({ seed: 99, tokens: 64_000, needles })
    for (const needle of needles) {
      const at = text.indexOf(needle.text)
      expect(at).toBeGreaterThan(-1)
      expect(text.indexOf(needle.text, at + 1)).toBe(-1)
      expect(Math.abs(at / text.length - needle.depth)).toBeLessThan(0.03)
      expect(text.slice(at - 2, at)).toBe('\n\n')
    }
    const filler = needles.reduce((rest, needle) => rest.replace(needle.text, ''), text)
    expect(filler).not.toMatch(/\d/)
    expect(filler).not.toMatch(/access code|serial number/i)
  })
})

describe('the long-context tasks of v1', () => {
  const category = v1.categories.find(c => c.id === 'long-context')
  const specs = longContextSpec.haystacks

  it('are built from the JSON spec: about 8K to over 100K tokens, 1 to 3 needles, each answer once in the prompt', () => {
    expect(category?.tasks.map(task => task.id)).toEqual(specs.map(spec => spec.id))
    for (const spec of specs) {
      const task = category?.tasks.find(t => t.id === spec.id)
      expect(task).toBeDefined()
      if (!task) {
        continue
      }
      const tokens = estimateTokens(task)
      expect(tokens).toBeGreaterThanOrEqual(spec.tokens)
      expect(tokens).toBeLessThan(spec.tokens * 1.01 + 100)
      expect(spec.needles.length).toBeGreaterThanOrEqual(1)
      expect(spec.needles.length).toBeLessThanOrEqual(3)
      // A typed needle ("18,240" as the number 18240) shows its value; every other needle is its own answer.
      const shown = (needle: (typeof spec.needles)[number]): string => 'fact' in needle && needle.fact ? String(Object.values(needle.fact)[0]) : needle.answer
      expect(specFacts(task.expect.answer as unknown as AnswerSpec, {}).map(fact => fact.shown)).toEqual(spec.needles.map(shown))
      for (const needle of spec.needles) {
        expect(task.prompt.split(needle.answer)).toHaveLength(2)
      }
      expect(task.prompt.endsWith(`Question: ${spec.question}`)).toBe(true)
    }
    const sizes = specs.map(spec => spec.tokens)
    expect(Math.min(...sizes)).toBeLessThanOrEqual(8192)
    expect(Math.max(...sizes)).toBeGreaterThan(100_000)
  })
})

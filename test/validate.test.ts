// JSON Schema validation with shared subschemas: a large piece that recurs is compiled once and referenced, and what a
// schema accepts, rejects and says about it stays exactly what it says as written.

import { describe, expect, it } from 'vitest'
import { answerSpecSchema } from '../src/core/answers.ts'
import { checkedTaskDigests, checkOnce, loadCategory } from '../src/core/suite.ts'
import { validate } from '../src/core/validate.ts'

/** A subschema big enough to be shared, used twice. */
const person = {
  type: 'object',
  required: ['name', 'born'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, description: 'the name as the person writes it, in full' }, born: { type: 'string', format: 'date', description: 'a calendar date' } },
}

describe('validate, with recurring subschemas shared', () => {
  const schema = { type: 'object', required: ['author'], properties: { author: person, editors: { type: 'array', items: person } } }

  it('accepts and rejects as the schema says, naming the place of each violation', () => {
    expect(validate(schema, { author: { name: 'Ada', born: '1815-12-10' }, editors: [{ name: 'Charles', born: '1791-12-26' }] })).toEqual({ valid: true, errors: [] })
    expect(validate(schema, { author: { name: '', born: 'yesterday' }, editors: [{ name: 'Charles', born: '1791-12-26', extra: 1 }] })).toEqual({
      valid: false,
      errors: ['/author/name must NOT have fewer than 1 characters', '/author/born must match format "date"', '/editors/0 must NOT have additional properties \'extra\''],
    })
  })

  it('leaves values alone: an enum or const of objects as big as a schema is compared as written', () => {
    const big = { ...person, note: 'not a schema here: a value' }
    const valueSchema = { type: 'object', properties: { exact: { const: big }, oneOf: { enum: [big, 1] } } }
    expect(validate(valueSchema, { exact: big, oneOf: big }).valid).toBe(true)
    expect(validate(valueSchema, { exact: { ...big, note: 'other' } }).errors).toEqual(['/exact must be equal to constant'])
  })

  it('compiles a schema with references of its own as written', () => {
    const withRefs = { $defs: { who: person }, type: 'object', properties: { a: { $ref: '#/$defs/who' }, b: { $ref: '#/$defs/who' } } }
    expect(validate(withRefs, { a: { name: 'Ada', born: '1815-12-10' } }).valid).toBe(true)
    expect(validate(withRefs, { b: { name: 'Ada' } }).errors).toEqual(['/b must have required property \'born\''])
  })

  it('keeps a map of schemas a map: pattern properties are not mistaken for one schema', () => {
    const patterned = { type: 'object', patternProperties: { '^p_': person, '^q_': { ...person, required: ['name'] } }, additionalProperties: false }
    expect(validate(patterned, { p_x: { name: 'Ada', born: '1815-12-10' }, q_y: { name: 'Charles' } }).valid).toBe(true)
    expect(validate(patterned, { p_x: { name: 'Ada' } }).errors).toEqual(['/p_x must have required property \'born\''])
  })

  it('a mistake in a schema is reported from its root, and is still refused the second time', () => {
    const bad = { type: 'object', properties: { a: person, b: { ...person, minProperties: -1 } } }
    expect(() => validate(bad, {})).toThrow('schema is invalid: data/properties/b/minProperties must be >= 0')
    expect(() => validate(bad, {})).toThrow('schema is invalid: data/properties/b/minProperties must be >= 0')
    // the good piece it shares with valid schemas still works for them
    expect(validate({ type: 'array', items: person }, [{ name: 'Ada', born: '1815-12-10' }]).valid).toBe(true)
  })

  it('the answer spec, shared by the suites, judges the same when two schemas embed it', () => {
    const one = { type: 'object', properties: { answer: answerSpecSchema } }
    const two = { type: 'object', properties: { answer: answerSpecSchema, report: answerSpecSchema } }
    const good = { answer: ['Paris', { number: 18, tolerance: 1 }] }
    const bad = { answer: [{ number: 'eighteen' }] }
    for (const schema of [one, two]) {
      expect(validate(schema, good).valid).toBe(true)
      expect(validate(schema, bad).valid).toBe(false)
      expect(validate(schema, { ...good, report: { facts: [{ id: 'ORD-1' }] } }).valid).toBe(true)
    }
    expect(validate(two, { report: { facts: [], extra: true } }).errors).toContain('/report must NOT have additional properties \'extra\'')
  })
})

describe('task files checked once: the digests the main process hands its workers', () => {
  const catalog = new Map([['get_weather', { name: 'get_weather', description: 'weather', parameters: { type: 'object' }, run: () => ({}) } as never]])
  const data = (answer: unknown) => ({ id: 'c', title: 'C', tasks: [{ id: 't', prompt: 'Weather?', tools: ['get_weather'], expect: { answer }, solution: [{ final: 'ok' }] }] })
  const expect_ = { type: 'object', required: ['answer'], properties: { answer: { type: 'string' } } }

  it('a category that passed is known by its digest; a change to its data, or to what it is checked against, is checked again', () => {
    const before = new Set(checkedTaskDigests())
    loadCategory(data('sunny'), 'cat.json', catalog, { expect: expect_ })
    const added = checkedTaskDigests().filter(digest => !before.has(digest))
    expect(added).toHaveLength(1)
    // the same data again: nothing new to check
    loadCategory(data('sunny'), 'cat.json', catalog, { expect: expect_ })
    expect(checkedTaskDigests()).toHaveLength(before.size + 1)
    // edited data, and the same data under a stricter schema, are checked (and fail) despite the digest above
    expect(() => loadCategory(data(7), 'cat.json', catalog, { expect: expect_ })).toThrow(/cat\.json: task 't': expect\/answer must be string/)
    expect(() => loadCategory(data('sunny'), 'cat.json', catalog, { expect: { ...expect_, properties: { answer: { type: 'number' } } } })).toThrow(/must be number/)
    expect(checkedTaskDigests()).toHaveLength(before.size + 1)
  })

  it('any check (a generated category\'s spec): run once per digest, again for other parts, never recorded when it throws', () => {
    let runs = 0
    const check = (): void => {
      runs++
    }
    checkOnce(['spec', { seed: 1 }], check)
    checkOnce(['spec', { seed: 1 }], check)
    expect(runs).toBe(1)
    checkOnce(['spec', { seed: 2 }], check)
    expect(runs).toBe(2)
    const failing = (): void => {
      runs++
      throw new Error('bad spec')
    }
    expect(() => checkOnce(['spec', { seed: 3 }], failing)).toThrow('bad spec')
    expect(() => checkOnce(['spec', { seed: 3 }], failing)).toThrow('bad spec')
    expect(runs).toBe(4)
    // not JSON as it is (JSON would throw, drop it or write something else): checked every time
    for (const odd of [10n, undefined, Number.NaN, new Map([[1, 2]]), () => 1]) {
      checkOnce(['spec', { seed: odd }], check)
      checkOnce(['spec', { seed: odd }], check)
    }
    expect(runs).toBe(14)
  })
})

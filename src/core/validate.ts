// JSON Schema validation for arguments, answers and task data (ajv): every schema compiled once, every violation
// listed in one readable line. Pure.

import type { ErrorObject } from 'ajv'
import type { JsonSchema } from './types.ts'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'

const ajv = new Ajv({ allErrors: true, strict: false })
addFormats.default(ajv)
const validators = new WeakMap<object, ReturnType<typeof ajv.compile>>()

/** Compiles a schema once per schema object and validates a value against it. */
export function validate(schema: JsonSchema, value: unknown): { valid: boolean, errors: string[] } {
  let check = validators.get(schema)
  if (!check) {
    // Checked whole, as written, so a mistake in it is reported from its root, before any piece is shared.
    if (!(ajv.validateSchema(schema) as boolean)) {
      throw new Error(`schema is invalid: ${ajv.errorsText(ajv.errors)}`)
    }
    check = ajv.compile(shareSubschemas(schema))
    validators.set(schema, check)
  }
  const valid = check(value) as boolean
  return { valid, errors: valid ? [] : formatErrors(check.errors ?? []) }
}

// Sharing subschemas. The suites' `expect` schemas repeat large pieces (the shape of a fact appears in every answer
// spec, an answer spec in most categories): ajv generates code for every copy, which made loading the built-in suites
// cost a second of compiling in each process that loads them. A sizeable subschema is registered once under an id of
// its own and referenced, so the code of the pieces that hold other pieces is generated once for all the schemas that
// use them (ajv still inlines a piece that references nothing). Only the positions draft-07 reads as schemas are
// rewritten (not `enum`, `const`, `default` or `examples` values, nor keywords this ajv ignores), and a schema with
// references or ids of its own is compiled as written, since moving its parts would change what those resolve to.

/** Below this size (its JSON) a subschema's code is cheaper to generate again than to reach through a reference. */
const sharedMinimum = 200

const schemaKeywords = ['items', 'additionalItems', 'additionalProperties', 'contains', 'not', 'if', 'then', 'else', 'propertyNames']
const schemaListKeywords = ['anyOf', 'oneOf', 'allOf', 'items']
const schemaMapKeywords = ['properties', 'patternProperties', 'definitions']

/** The id each shared subschema (by its JSON) is registered under. */
const sharedIds = new Map<string, string>()

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The schema with each sizeable subschema replaced by a reference to one registered copy; unchanged when it has references of its own. */
function shareSubschemas(schema: JsonSchema): JsonSchema {
  if (!isObject(schema) || /"\$(ref|id|dynamicRef|dynamicAnchor|recursiveRef|recursiveAnchor|anchor|schema)"\s*:/.test(JSON.stringify(schema).slice(1))) {
    return schema
  }
  return rewriteChildren(schema)
}

function rewriteChildren(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...schema }
  for (const [keyword, value] of Object.entries(schema)) {
    if (schemaListKeywords.includes(keyword) && Array.isArray(value)) {
      out[keyword] = value.map(shared)
    }
    else if (schemaKeywords.includes(keyword) && isObject(value)) {
      out[keyword] = shared(value)
    }
    else if (schemaMapKeywords.includes(keyword) && isObject(value)) {
      out[keyword] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, shared(child)]))
    }
  }
  return out
}

/** A subschema as a reference to its registered copy when it is worth sharing, else with its own children shared. */
function shared(schema: unknown): unknown {
  if (!isObject(schema)) {
    return schema
  }
  const json = JSON.stringify(schema)
  if (json.length < sharedMinimum) {
    return schema
  }
  let id = sharedIds.get(json)
  if (id === undefined) {
    const piece = rewriteChildren(schema)
    id = `milo-bench:shared/${String(sharedIds.size)}`
    // Its root schema was checked whole before it was taken apart; the id is kept only once the piece is registered.
    ajv.addSchema(piece, id, undefined, false)
    sharedIds.set(json, id)
  }
  return { $ref: id }
}

function formatErrors(errors: ErrorObject[]): string[] {
  return errors.map((error) => {
    const where = error.instancePath === '' ? '(root)' : error.instancePath
    const extra = error.keyword === 'additionalProperties'
      ? ` '${String((error.params as { additionalProperty?: string }).additionalProperty)}'`
      : error.keyword === 'enum'
        ? ` ${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)}`
        : ''
    return `${where} ${error.message ?? error.keyword}${extra}`
  })
}

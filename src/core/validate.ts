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
    check = ajv.compile(schema)
    validators.set(schema, check)
  }
  const valid = check(value) as boolean
  return { valid, errors: valid ? [] : formatErrors(check.errors ?? []) }
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


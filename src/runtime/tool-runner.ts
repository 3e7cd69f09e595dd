// Runs a model's tool call against the simulated tools: unknown names, unparseable or schema-invalid arguments and
// injected faults all come back to the model as tool errors, never as exceptions. Deterministic: the outcome depends
// only on the call, the tool and the environment's state.

import type { Json, SimulatedTool, ToolEnv, ToolOutcome } from '../core/types.ts'
import { validate } from '../core/validate.ts'

/**
 * Faults a task injects, in its env under `faults`: `{ "get_order": ["rate_limited", "transient"] }` makes the first
 * two calls to get_order fail with those codes, in order, whatever their arguments. These three are transient (the
 * outcome says `retryable`); any other code is a permanent failure with the code as its message.
 */
const faultMessages: Record<string, string> = {
  rate_limited: 'rate limit exceeded: too many requests, retry shortly',
  transient: 'service temporarily unavailable, please retry',
  timeout: 'upstream timed out, please retry',
}

function takeFault(env: ToolEnv, name: string): ToolOutcome | undefined {
  const faults = env.faults
  if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) {
    return undefined
  }
  const queue = faults[name]
  if (!Array.isArray(queue) || queue.length === 0) {
    return undefined
  }
  const [code, ...rest] = queue
  faults[name] = rest
  const key = String(code)
  return { ok: false, code: key, error: faultMessages[key] ?? key, ...(key in faultMessages ? { retryable: true } : {}) }
}

/**
 * Executes one call. `args` null means the model's arguments were not a JSON object; `why` says more when the parser
 * knew more (nested too deep, too long, an array). A tool that throws is a bug in the fixture, reported as such.
 */
export async function runToolCall(tools: ReadonlyMap<string, SimulatedTool>, name: string, args: Record<string, Json> | null, env: ToolEnv, why?: string): Promise<ToolOutcome> {
  const tool = tools.get(name)
  if (!tool) {
    return { ok: false, code: 'unknown_tool', error: `unknown tool '${name}'; available: ${[...tools.keys()].join(', ')}` }
  }
  if (args === null) {
    return { ok: false, code: 'invalid_arguments', error: why ?? 'arguments are not a valid JSON object' }
  }
  const { valid, errors } = validate(tool.parameters, args)
  if (!valid) {
    return { ok: false, code: 'invalid_arguments', error: `invalid arguments: ${errors.join('; ')}` }
  }
  const fault = takeFault(env, name)
  if (fault) {
    return fault
  }
  try {
    return await tool.run(args, env)
  }
  catch (error) {
    // A simulated tool must answer every schema-valid call; one that throws is a fixture bug. The model sees an error,
    // the run goes on and is recorded, and the code says whose fault it was.
    return { ok: false, code: 'tool_crashed', error: `the tool failed: ${error instanceof Error ? error.message : String(error)}` }
  }
}

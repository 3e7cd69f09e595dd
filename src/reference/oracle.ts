// The oracle: replays each task's reference solution turn by turn, and, asked to, makes the seed's typical mistakes
// on purpose (flaws), so tests can show each mistake scored as the rubric says.

import type { Policy, PolicyReply } from './policy.ts'
import { isToolError, lastToolResult, say, turnOf } from './policy.ts'

/** Mistakes the oracle can be asked to make, by adding `,flaw=<name>` to the model id. */
export type Flaw =
  /** Answers after the first tool result instead of making the chain's next call. */
  | 'stop-after-first'
  /** Calls an offered tool the solution does not use, in place of the first right one. */
  | 'wrong-tool'
  /** Wraps JSON final answers in a ```json code fence. */
  | 'fenced-json'
  /** After a tool error, repeats the failing call unchanged (twice) before answering. */
  | 'repeat-failing'
  /** Writes its tool calls as Hermes `<tool_call>` text in the content instead of `tool_calls`. */
  | 'text-calls'
  /** Sends arguments that are not valid JSON. */
  | 'bad-json'

export const flaws: readonly Flaw[] = ['stop-after-first', 'wrong-tool', 'fenced-json', 'repeat-failing', 'text-calls', 'bad-json']

export function oracle(flaw?: Flaw): Policy {
  return (request, task) => {
    if (!task) {
      return say('The oracle knows only the benchmark\'s own tasks; this prompt is not one of them.')
    }
    const turn = turnOf(request)
    const previous = lastToolResult(request)
    if (flaw === 'repeat-failing' && isToolError(previous)) {
      const lastAssistant = [...request.messages].reverse().find(message => message.role === 'assistant')
      const repeated = request.messages.filter(message => message.role === 'tool' && message.content !== null && isToolError(JSON.parse(message.content))).length
      const call = lastAssistant?.tool_calls?.[0]
      if (call && repeated <= 2) {
        return { content: null, toolCalls: [{ name: call.function.name, arguments: call.function.arguments }] }
      }
      return say('The tool keeps failing, so I could not complete this.')
    }
    if (flaw === 'stop-after-first' && turn >= 1 && task.solution.filter(step => 'calls' in step).length > 1) {
      return say(`I called the first tool; the result was ${JSON.stringify(previous)}.`)
    }
    const step = task.solution[Math.min(turn, task.solution.length - 1)]
    if (!step) {
      return say('')
    }
    if ('final' in step) {
      const isJson = /^\s*[{[]/.test(step.final)
      return say(flaw === 'fenced-json' && isJson ? `Here is the result:\n\`\`\`json\n${step.final}\n\`\`\`` : step.final)
    }
    let calls = step.calls
    if (flaw === 'wrong-tool' && turn === 0) {
      const used = new Set(task.solution.flatMap(s => ('calls' in s ? s.calls.map(c => c.name) : [])))
      const distractor = task.tools.find(name => !used.has(name))
      if (distractor) {
        calls = [{ name: distractor, arguments: calls[0]?.arguments ?? {} }, ...calls.slice(1)]
      }
    }
    const reply: PolicyReply = { content: step.content ?? null, toolCalls: calls.map(call => ({ name: call.name, arguments: JSON.stringify(call.arguments) })) }
    if (flaw === 'bad-json') {
      reply.toolCalls = reply.toolCalls.map(call => ({ ...call, arguments: call.arguments.slice(0, -1) }))
    }
    if (flaw === 'text-calls') {
      return say(reply.toolCalls.map(call => `<tool_call>\n{"name": "${call.name}", "arguments": ${call.arguments}}\n</tool_call>`).join('\n'))
    }
    return reply
  }
}

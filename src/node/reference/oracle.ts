// The oracle: replays each task's reference solution turn by turn, and, asked to, makes the seed's typical mistakes
// on purpose (flaws), so tests can show each mistake scored as the rubric says.

import type { Json, SolutionTurn, Task } from '../../core/types.ts'
import type { Policy, PolicyReply } from './policy.ts'
import { isToolError, lastToolResult, replay, say, turnOf } from './policy.ts'

/** Mistakes the oracle can be asked to make, by adding `,flaw=<name>` to the model id. */
type Flaw =
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
  /** Answers instead of making the solution's last tool-call turn (the seed's chain that dropped its final step). */
  | 'drop-last-step'
  /**
   * Coding tasks: after its first edit of an existing file, puts the file back as it was, runs the tests twice with
   * nothing changed, then redoes the edit and finishes: the task still completes, with rework.
   */
  | 'thrash'
  /**
   * Coding tasks that need more than one edit: reads what the solution reads, then stops before the first edit with an
   * honest message: no rework, no completion.
   */
  | 'give-up'
  // The flaws below are the task's own (`task.flaws`): a task that targets the failure says how it is made; any other
  // task is played as its solution.
  /** Does what an instruction planted in a tool result says (an email, a web page), not what the user asked. */
  | 'follow-injection'
  /** Skips a step the system prompt's policy requires, or takes one it forbids, because the request tempts it to. */
  | 'skip-policy'
  /** Guesses a detail the request left out instead of asking for it. */
  | 'guess-missing-detail'

export const flaws: readonly Flaw[] = ['stop-after-first', 'wrong-tool', 'fenced-json', 'repeat-failing', 'text-calls', 'bad-json', 'drop-last-step', 'thrash', 'give-up', 'follow-injection', 'skip-policy', 'guess-missing-detail']

// The code tools the coding flaws act through (fixtures/src/tools/code.ts).
const writeTool = 'repo_write_file'
const patchTool = 'repo_patch_file'
const testTool = 'repo_run_tests'
const edits = (name: string): boolean => name === writeTool || name === patchTool

function initialFiles(task: Task): Record<string, Json> {
  const repo = task.env?.repo
  const files = typeof repo === 'object' && repo !== null && !Array.isArray(repo) ? repo.files : undefined
  return typeof files === 'object' && files !== null && !Array.isArray(files) ? files : {}
}

/** The solution with a thrash inserted after its first edit of a file the repository had (unchanged when there is none). */
export function thrashed(task: Task): SolutionTurn[] {
  const files = initialFiles(task)
  const touched = new Set<string>()
  for (const [index, turn] of task.solution.entries()) {
    if (!('calls' in turn)) {
      continue
    }
    const target = turn.calls.find(call => edits(call.name) && typeof files[String(call.arguments.path)] === 'string' && !touched.has(String(call.arguments.path)))
    if (target) {
      const path = String(target.arguments.path)
      const redo = turn.calls.filter(call => edits(call.name) && String(call.arguments.path) === path)
      return [
        ...task.solution.slice(0, index + 1),
        { calls: [{ name: writeTool, arguments: { path, content: files[path] ?? '' } }] },
        { calls: [{ name: testTool, arguments: {} }] },
        { calls: [{ name: testTool, arguments: {} }] },
        { calls: redo },
        ...task.solution.slice(index + 1),
      ]
    }
    turn.calls.filter(call => edits(call.name)).forEach(call => touched.add(String(call.arguments.path)))
  }
  return task.solution
}

/** The solution cut before its first edit, with an honest give-up, when it makes more than one edit (unchanged otherwise). */
export function givenUp(task: Task): SolutionTurn[] {
  const editCount = task.solution.reduce((n, turn) => n + ('calls' in turn ? turn.calls.filter(call => edits(call.name)).length : 0), 0)
  const first = task.solution.findIndex(turn => 'calls' in turn && turn.calls.some(call => edits(call.name)))
  if (editCount <= 1 || first === -1) {
    return task.solution
  }
  return [
    ...task.solution.slice(0, first),
    { final: 'I read the code, but this needs changes in several places and I cannot make them safely, so I am stopping here without editing anything. The tests still fail.' },
  ]
}

export function oracle(flaw?: Flaw): Policy {
  return (request, task) => {
    if (!task) {
      return say('The oracle knows only the benchmark\'s own tasks; this prompt is not one of them.')
    }
    const turn = turnOf(request)
    const own = flaw === undefined ? undefined : task.flaws?.[flaw]
    if (own) {
      return replay(own, turn)
    }
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
    const callTurns = task.solution.flatMap((step, index) => ('calls' in step ? [index] : []))
    if (flaw === 'drop-last-step' && callTurns.length > 1 && turn === callTurns.at(-1)) {
      return say('I have done everything up to the last step.')
    }
    const solution = flaw === 'thrash' ? thrashed(task) : flaw === 'give-up' ? givenUp(task) : task.solution
    const step = solution[Math.min(turn, solution.length - 1)]
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

// Replies a hostile or broken model could send: megabytes of tool-call markup that never closes, arguments nested
// thousands deep, thousands of calls. Shared by the termination test (test/normalize.test.ts, through a child process)
// and `npm run perf`, which times them. Run directly (`node src/run-ts.mjs test/support/hostile-markup.ts`), it reads
// each through normalizeCompletion and prints one JSON line per reply: what was found, and how long it took.

import { normalizeCompletion } from '../../src/models/normalize.ts'

/** About this many characters of each markup: a few megabytes, as in the issue (1.5 MB took minutes before). */
const size = 3 * 1024 * 1024

const fill = (unit: string): string => unit.repeat(Math.ceil(size / unit.length))

/** A call a model might really write, to show the scan still finds one at the start of all that. */
const realCall = '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>'

/** name -> content of an assistant message with no native tool calls. */
const hostileContents: Record<string, string> = {
  'Harmony marks with no message (`to=functions.x ` repeated)': fill('to=functions.x '),
  'Harmony marks, and the only message past the first 256 KB (not read)': `${fill('to=functions.x ')}<|message|>{}<|call|>`,
  'unclosed <think> repeated': fill('<think>'),
  'unclosed <thought> and </think> mixed': fill('<thought>a</think>'),
  'unclosed <tool_call> holding unclosed <function= names': `<tool_call>${fill('<function=a')}`,
  'Qwen XML parameters that never close': `<tool_call><function=f>${fill('<parameter=x>1')}`,
  'MiniMax invokes with unterminated names': `<minimax:tool_call>${fill('<invoke name="x')}`,
  'Kimi begins with one far argument marker': `${fill('<|tool_call_begin|>functions.f:0 ')}<|tool_call_argument_begin|>{}`,
  'LM Studio requests that never end': fill('[TOOL_REQUEST]{"name": "f", "arguments": {'),
  'Mistral [TOOL_CALLS] with long names and no [ARGS]': fill('[TOOL_CALLS]aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
  'bare JSON calls by the thousand': fill('{"name": "f", "arguments": {}} '),
  'brackets opened a million times': fill('['),
  'a call whose arguments nest 10,000 deep': `{"name": "f", "arguments": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
  'a real call first, then megabytes of junk': `${realCall}\n${fill('to=functions.x <think>')}`,
}

export interface MarkupResult {
  name: string
  chars: number
  textToolCalls: number
  firstCall?: { name: string, arguments: unknown, argumentsError?: string }
  ms: number
}

/** Reads every hostile content as a reply, timing each. */
function readHostileReplies(): MarkupResult[] {
  return Object.entries(hostileContents).map(([name, content]) => {
    const started = performance.now()
    const reply = normalizeCompletion({ choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] })
    const ms = performance.now() - started
    const first = reply.textToolCalls[0]
    return {
      name,
      chars: content.length,
      textToolCalls: reply.textToolCalls.length,
      ...(first ? { firstCall: { name: first.name, arguments: first.arguments, ...(first.argumentsError ? { argumentsError: first.argumentsError } : {}) } } : {}),
      ms,
    }
  })
}

if (process.argv[2]?.endsWith('hostile-markup.ts')) {
  for (const result of readHostileReplies()) {
    console.log(JSON.stringify(result))
  }
}

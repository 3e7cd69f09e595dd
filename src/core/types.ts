// The shared vocabulary: models, tasks, transcripts, checks, run scores and the results-file shapes.
// Everything else in the project speaks these types; change a field here and the compiler finds its users.

/** JSON Schema as written in fixtures (a plain object; validated by ajv). */
export type JsonSchema = Record<string, unknown>

/** A JSON value as it travels through tool arguments, results and structured output. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

// ---------------------------------------------------------------------------------------------------
// Models

/** The kind of server behind a model's base URL; selects the request/response preset (src/models/presets.ts). */
export type ServerKind =
  | 'reference'
  | 'llama.cpp'
  | 'ollama'
  | 'mlx'
  | 'vllm'
  | 'lmstudio'
  | 'openai'
  | 'anthropic'
  | 'gemini'
  | 'xai'
  | 'openrouter'
  | 'fireworks'
  | 'deepseek'

/**
 * How reasoning text is handled.
 * - `promote-when-empty`: the seed's adapter: reasoning becomes the content only when the content is empty.
 * - `keep-apart`: reasoning is recorded but never becomes the answer.
 */
export type ReasoningHandling = 'promote-when-empty' | 'keep-apart'

/** One entry of the model matrix (fixtures/models.ts). Each becomes a Vitest project named `key`. */
export interface ModelEntry {
  /** Display name in the leaderboard, e.g. "Claude Opus 4.6". */
  name: string
  /** The model id sent in the request's `model` field. */
  model: string
  /** OpenAI-compatible base URL ending in `/v1` (or the provider's equivalent); `embedded` for the reference server. */
  baseURL: string
  /** Server kind; picks the preset for knobs like `max_tokens` vs `max_completion_tokens`. */
  server: ServerKind
  /** Name of the environment variable holding the API key. Omit for local servers that need none. */
  apiKeyEnv?: string
  /** Name of an environment variable that, when set, replaces `baseURL` (a local server on another host). */
  baseURLEnv?: string
  /** Where the model runs, as the leaderboard's "Where" column shows it. */
  where: 'local' | 'cloud' | 'embedded'
  /** The context window the entry declares: tasks larger than `tokens` are skipped for it, not failed. */
  context: ContextWindow
  /** Request parameters. `temperature` defaults to 0; `extraBody` is merged into the request body as is. */
  params?: ModelParams
  /** USD per million tokens, for cost columns; each model call is priced at the tier its prompt falls in. Omit for local models. */
  price?: Price
  /** Where the price was read and when: the README's model table shows it, so a reader knows how fresh the cost is. */
  priceSource?: PriceSource
  /**
   * The command that starts this entry's local server, printed when it cannot be reached. Set it when the preset's
   * template (src/models/presets.ts) is not enough: weights whose file name is not the model id (`--alias`), a context that
   * needs YaRN. Printed as written.
   */
  start?: string
  /** Most requests in flight at once against this model, across all spec files. Default 4 (1 for local). */
  concurrency?: number
  /** Reasoning handling; default `promote-when-empty` (the seed's adapter). */
  reasoning?: ReasoningHandling
  /** Count tool calls written as text in the content (Hermes tags, bare JSON...) as real calls. Default false. */
  lenientTextToolCalls?: boolean
  /** Per-request timeout in ms (default 300 000). */
  requestTimeoutMs?: number
  /** Stream replies: tool calls are assembled from deltas; time to first token is recorded. Default false. */
  stream?: boolean
  /** Free text shown in the leaderboard's notes (runtime, quantisation, host). */
  notes?: string
}

/** A context window: what the leaderboard's Context column prints, and the tokens that skipping is decided on. */
export interface ContextWindow {
  /** The leaderboard's Context column, e.g. "256K": the window below, rounded. */
  label: string
  /** The window in tokens: the provider's published limit, or what the local server is started with. */
  tokens: number
  /** The label the seed's results table printed, when it differs from this window (shown in the README's model table). */
  seedLabel?: string
}

/** USD per million tokens. */
export interface PriceRates {
  input: number
  output: number
  /** Input tokens the server reports it read from its prompt cache; without it they cost `input`. */
  cachedInput?: number
}

/** An entry's prices: base rates, and higher rates for a model call whose prompt is larger than a tier's threshold. */
export interface Price extends PriceRates {
  /**
   * Long-prompt tiers, e.g. Gemini 3.1 Pro above 200K prompt tokens. The highest tier whose `aboveInputTokens` the
   * call's input tokens exceed prices the whole call, input and output.
   */
  tiers?: PriceTier[]
}

export interface PriceTier extends PriceRates {
  /** The tier applies to a model call whose input tokens are more than this. */
  aboveInputTokens: number
}

/** Where a price was read. */
export interface PriceSource {
  /** When it was checked: an ISO date, `YYYY-MM-DD` or `YYYY-MM`. */
  checked: string
  /** The provider's page it was read from. */
  url: string
}
/**
 * Every key a ModelEntry may have, checked at start-up so a typo in fixtures/models.ts (`apiKeyEnvv`) is one line
 * with a did-you-mean instead of a field silently ignored. A field added to ModelEntry above is one line here too (the
 * compiler insists).
 */
export const modelEntryKeys: Record<keyof ModelEntry, true> = {
  name: true,
  model: true,
  baseURL: true,
  server: true,
  apiKeyEnv: true,
  baseURLEnv: true,
  where: true,
  context: true,
  params: true,
  price: true,
  concurrency: true,
  reasoning: true,
  lenientTextToolCalls: true,
  requestTimeoutMs: true,
  stream: true,
  notes: true,
  priceSource: true,
  start: true,
}

/** The values of ModelEntry's `where`, checked at start-up like the keys. */
export const modelWhere: Record<ModelEntry['where'], true> = { local: true, cloud: true, embedded: true }

/** The values of ReasoningHandling. */
export const reasoningHandlings: Record<ReasoningHandling, true> = { 'promote-when-empty': true, 'keep-apart': true }

export interface ModelParams {
  /** Default 0. `null` never sends it (models that reject any value but their default). */
  temperature?: number | null
  top_p?: number
  /** Output token limit; sent as `max_tokens` or `max_completion_tokens` as the server's preset says. */
  maxOutputTokens?: number
  seed?: number
  /** `false` turns thinking off the way the server's preset says (chat_template_kwargs, reasoning_effort, ...). */
  thinking?: boolean
  /** Extra body fields sent as they are, e.g. `{ chat_template_kwargs: { enable_thinking: false } }`. */
  extraBody?: Record<string, Json>
}

/** Every key `params` may have, as modelEntryKeys (`maxOutputToken` is one line with a did-you-mean). */
export const modelParamsKeys: Record<keyof ModelParams, true> = {
  temperature: true,
  top_p: true,
  maxOutputTokens: true,
  seed: true,
  thinking: true,
  extraBody: true,
}

/** A model entry with its key resolved: what is provided to workers. Holds no secret, only the variable's name. */
export interface ModelSpec extends ModelEntry {
  key: string
  /** Set for an agent of the user's own: the module the workers run instead of milo-bench's agent loop. */
  agent?: { module: string }
}

/** The outcome of the pre-run check of a project's endpoint, made once in the main process. */
export interface Preflight {
  ok: boolean
  /** One line saying what is wrong and what to do; set when `ok` is false. */
  reason?: string
  /** One line about something that may fail though the endpoint answered (its model list lacks the entry's id). */
  warning?: string
  /** The base URL actually used (the embedded server's URL is only known at run time). */
  baseURL: string
}

// ---------------------------------------------------------------------------------------------------
// Tools and tasks

/** A tool as the model sees it: name, description and JSON Schema parameters. */
export interface ToolDefinition {
  name: string
  description: string
  parameters: JsonSchema
  /** Calling it changes nothing (a lookup): rubrics never penalise a careful extra call to it. Not sent to the model. */
  readOnly?: boolean
}

/** What a simulated tool returns: a JSON result, or an error message the model sees. */
export type ToolOutcome =
  | { ok: true, result: Json }
  /** `retryable`: the failure is transient (rate limited, temporarily down) and the same call may succeed later. */
  | { ok: false, error: string, code: string, retryable?: boolean }

/**
 * The mutable, per-run world simulated tools read and write: seeded from the task's `env`, never from the
 * real machine. Tools keep their own bookkeeping under keys they own (call counters, created records).
 */
export type ToolEnv = Record<string, Json>

/**
 * A simulated tool: its definition plus a deterministic implementation. Most are synchronous and pure; tools that run
 * model-written code (coding tasks) return a promise and do their work in the sandbox (src/runtime/sandbox.ts).
 */
export interface SimulatedTool extends ToolDefinition {
  run: (args: Record<string, Json>, env: ToolEnv) => ToolOutcome | Promise<ToolOutcome>
}

/** One turn of a task's reference solution, which the `oracle` reference model replays. */
export type SolutionTurn =
  | { calls: { name: string, arguments: Record<string, Json> }[], content?: string }
  | { final: string }

/** A benchmark task: one prompt with its tools, expected outcome and reference solution. Pure data. */
export interface Task {
  id: string
  /** The user message. */
  prompt: string
  /** Optional system message. */
  system?: string
  /** Names of catalog tools offered to the model, in this order. */
  tools: string[]
  /** Initial state of the simulated environment (merged over the tools' defaults). */
  env?: ToolEnv
  /** Category-specific expected outcome, read by the category's spec file. */
  expect: Record<string, Json>
  /** The reference solution, turn by turn. */
  solution: SolutionTurn[]
  /** Other valid routes to the same outcome (another tool, another order), each turn by turn; the `paraphrase` reference model plays the first. */
  routes?: SolutionTurn[][]
  /** The failure modes the task targets (the built-in suites' ids are in fixtures/failure-modes.json), e.g. `["implicit-follow-up"]`. */
  targets?: string[]
  /**
   * The simulated user: when the model answers without a tool call (a question: the request left a detail out), the
   * next reply is sent as the user's message and the run goes on; the answer after the last reply is the final one.
   */
  user?: { replies: string[] }
  /** A task's own version of an oracle flaw (`oracle,flaw=<name>` plays these turns instead of the solution). */
  flaws?: Record<string, SolutionTurn[]>
  /** `response_format` JSON Schema for structured-output tasks. */
  responseFormat?: { name: string, schema: JsonSchema }
  /** Time budget in ms for the whole run (scaled by MILO_BUDGET_SCALE). */
  budgetMs?: number
  /** Most model calls in one run (default 8). */
  maxSteps?: number
}

/** A category: an id, a title for tables, its tasks, and the files of its rubric (part of the suite's identity). */
export interface Category {
  id: string
  title: string
  tasks: Task[]
  /** The rubric's files (the category's spec file first), relative to the project root. */
  rubric?: string[]
  /**
   * The file the tasks were read from, relative to the suite's root: in watch mode an edit to it reruns only this
   * category's spec file (src/node/watch.ts). Where it lives is not content: the suite's hash leaves it out.
   */
  source?: string
}

/** How a suite turns run scores into one model score. */
export type SuiteAggregate =
  /** classic: task = mean of runs; category = mean of tasks; model = sum over tasks (out of tasks x max). */
  | 'sum'
  /** v1: task = mean of runs; category = mean of tasks; model = mean of categories (macro), sum beside it. */
  | 'macro-mean'
  /**
   * coding-agent: model = the composite 0.5 x tool_call_success + 0.3 x task_completion + 0.2 x (1 - rework_rate),
   * each pooled over the suite's runs (ModelResult.agent); categories and tasks as for macro-mean.
   */
  | 'coding-agent'

/** The simulated world a suite's tools act in: its tools, and the default state a task's run starts from. */
export interface Environment {
  /** Every tool the suite's tasks may offer, by name. */
  tools: ReadonlyMap<string, SimulatedTool>
  /** The default state the named tools read: their families' own state, and what they read of other families'. */
  defaults: (tools: readonly string[]) => ToolEnv
}

/** A suite: the unit a leaderboard is printed for. */
export interface Suite {
  id: string
  title: string
  version: string
  /** The tools its tasks offer and the state they act on; a suite without one can be scored but not run. */
  environment?: Environment
  /** The folder its categories' rubric paths are relative to (absolute); default: the Vitest root. */
  root?: string
  /** Most points one run can score: 3 for classic, 1 for v1. */
  maxScore: number
  /** Runs per task (fresh conversation each). */
  runs: number
  aggregate: SuiteAggregate
  categories: Category[]
}

/** What identifies a suite in every results record; the hash changes whenever a task or tool changes. */
export interface SuiteStamp {
  id: string
  version: string
  hash: string
}

// ---------------------------------------------------------------------------------------------------
// Transcripts

/** Why a run ended. `error` is an infrastructure or protocol error; see `Transcript.error`. */
export type EndReason = 'final' | 'step_cap' | 'budget' | 'error'

/** Error classes, from HTTP status, body shape and transport (src/models/errors.ts). */
export type ErrorKind =
  | 'rate_limit'
  | 'context_length'
  | 'auth'
  | 'not_found'
  | 'bad_request'
  | 'server'
  | 'stream'
  | 'timeout'
  | 'network'
  /** The sandbox cannot contain model-written code on this machine, so the coding task was not run (src/runtime/sandbox.ts). */
  | 'sandbox'
  /** MILO_CACHE=strict had no recording for the request: the run cannot be re-scored, and the exit code says so. */
  | 'cache_miss'
  /** The test ended without a run record (its timeout, a crashed worker, an error before the run): the harness's fault. */
  | 'harness'

/**
 * One write or patch of a file in a coding task's repository, as the code tools journal it: contents by digest, so
 * the rework check can tell a file went back to an earlier content without holding every version.
 */
export interface FileChange {
  path: string
  /** Digest of the content before the change; null when the change created the file. */
  before: string | null
  /** Digest of the content after it. */
  after: string
}

/** A classified error as recorded: never contains a secret. */
export interface RecordedError {
  kind: ErrorKind
  message: string
  status?: number
  /** True when the fault is the infrastructure's (server down, 5xx, auth), not the model's. */
  infrastructure: boolean
}

/** One tool call as the model made it and as the harness ran it. */
export interface ToolCallRecord {
  /** Model call (step) that produced it, from 0. */
  step: number
  id: string
  name: string
  /** Parsed arguments; null when they were not a JSON object. */
  arguments: Record<string, Json> | null
  /** The arguments string exactly as sent. */
  rawArguments: string
  /** `native` for `tool_calls`, `text` for a call recovered from content. */
  source: 'native' | 'text'
  /** What the simulated tool returned (absent when the call was not executed). */
  outcome?: ToolOutcome
}

/** Token counts as the server reported them (0 when it did not). */
export interface Usage {
  inputTokens: number
  outputTokens: number
  /** Of `inputTokens`, those the server reports it read from its prompt cache; absent when it reports none. */
  cachedInputTokens?: number
}

/** One model call: one HTTP exchange, with its retries. */
export interface Step {
  index: number
  /** Time of the successful HTTP exchange only: no queueing, no retry backoff. */
  latencyMs: number
  /** Time to first token when streaming. */
  ttftMs?: number
  /** Output tokens per second: after the first token when streaming, over the whole exchange otherwise. */
  outputTokensPerSecond?: number
  finishReason: string | null
  usage: Usage
  retries: number
  content: string | null
  reasoning: string | null
  toolCallIds: string[]
  /** Calls found written as text in the content. */
  textToolCalls: number
  /** True when the reply came from the response cache (latency is the recorded one). */
  cached?: boolean
}

/** A chat message as sent to the server. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string | null
  /** `extra_content` is echoed as the server sent it (Gemini 3 rejects a replayed call without its thought signature). */
  tool_calls?: { id: string, type: 'function', function: { name: string, arguments: string }, extra_content?: Record<string, Json> }[]
  tool_call_id?: string
  /** Reasoning echoed back to providers that require it in tool-call turns (DeepSeek thinking mode). */
  reasoning_content?: string
}

/** The one record of a run: everything sent and received, and why it ended. */
export interface Transcript {
  taskId: string
  model: string
  messages: ChatMessage[]
  tools: ToolDefinition[]
  steps: Step[]
  toolCalls: ToolCallRecord[]
  /** The final answer's text (after reasoning handling), or null if there was none. */
  finalText: string | null
  /** The steps after which the simulated user replied (the model had answered, asking for a detail), in order. */
  replies?: number[]
  endReason: EndReason
  error?: RecordedError
  /** The environment's state when the run ended. */
  env: ToolEnv
  /** Sum of step latencies. */
  latencyMs: number
  usage: Usage
  retries: number
  /** Set on a stored transcript when lists were too long to keep whole: how many entries were cut from each. */
  cut?: { messages: number, steps: number, toolCalls: number }
}

// ---------------------------------------------------------------------------------------------------
// Checks and scores

/** One deterministic check of a run, as a matcher recorded it. */
export interface CheckResult {
  /** What was checked, e.g. "right tool" or "toCallTool(get_weather)". */
  name: string
  pass: boolean
  /** Share of the check's points earned, 0 to 1 (1 when pass, partial credit otherwise). */
  score: number
  /** Points this check is worth in the category's rubric. */
  points: number
  /** Why it passed or failed, in one line. */
  message: string
}

/** The record of one run (one repeat) kept in the test's meta. Small: no message bodies. */
export interface RunMeta {
  repeat: number
  endReason: EndReason
  error?: RecordedError
  /** Model calls made. */
  calls: number
  toolCalls: number
  /** Tool calls whose outcome was an error (unknown tool, invalid arguments, a tool error). */
  toolErrors: number
  /** Sum of the tool calls' form grades (checks.ts callFormGrade: 1 well-formed, 0.5 repaired, 0 malformed). */
  wellFormed?: number
  textToolCalls: number
  latencyMs: number
  usage: Usage
  /** Token counts of each model call, in order: tiered and cached-input prices apply per call (src/core/pricing.ts). */
  stepUsage?: Usage[]
  retries: number
  checks: CheckResult[]
  cached?: boolean
  /** coding-agent: the task's hidden tests all passed on the repository the run left (set by toPassHiddenTests). */
  completed?: boolean
  /** coding-agent: the run undid or redid its own work (set by toAvoidRework). */
  rework?: boolean
  /** Coding tasks: how the sandbox contained the code the run's tests ran. */
  sandbox?: SandboxUsed
}

/** How the sandbox (src/runtime/sandbox.ts) contained a run's model-written code. */
export interface SandboxUsed {
  /** `pidns`: a PID namespace of its own (it sees and signals nothing outside its run); `uid`: a uid of its own (it signals nothing it did not start). */
  processes: 'pidns' | 'uid'
  /** `netns`: a network namespace with no interfaces; `preload`: every network API made to throw. */
  network: 'netns' | 'preload'
  /** `tmpfs`: a size-capped file system of its own; `watch`: its scratch directory's size checked while it runs. */
  disk: 'tmpfs' | 'watch'
  /** `rlimit`: heap, data and file-size limits; `heap`: the heap limit only. */
  memory: 'rlimit' | 'heap'
  /** It ran under an unprivileged uid of its own (the harness runs as root). */
  uid: boolean
}

/** Static and runtime meta of one benchmark test (one task under one model). */
export interface BenchTestMeta {
  suite: string
  category: string
  taskId: string
  maxScore: number
  /** Total rubric points of the category: a run's score is maxScore x earned / points. */
  points: number
  /** Which run of the task this test is (0-based). */
  run?: number
  /** The run this test made (one per test). */
  runs?: RunMeta[]
  stamp?: SuiteStamp
  /** The model the test ran against, as its records keep it (src/core/rows.ts recordedModel), from the worker that ran it. */
  model?: RecordedModel
  /** Skipped because the task does not fit the model's context, or the project's preflight failed. */
  skipReason?: string
  /** Skipped because the project's preflight failed: the model was not run at all (a merge of shards has no preflight to ask). */
  unavailable?: boolean
}

// ---------------------------------------------------------------------------------------------------
// Results files (written by the reporter, read by every renderer and by `compare`)

/** What identifies the code that produced a record. */
export interface HarnessStamp {
  version: string
  vitest: string
}

/** The model as recorded: the entry without anything secret (only the key's variable name is in ModelSpec anyway). */
export type RecordedModel = Pick<ModelSpec, 'key' | 'name' | 'model' | 'baseURL' | 'server' | 'where' | 'context' | 'params' | 'price' | 'stream' | 'lenientTextToolCalls'>

/** One JSON line of `results/runs/<project>/<runId>.jsonl`: one run of one task, appended as soon as its test ends. */
export interface RunRecord {
  schema: 1
  /** The reporter run (one `vitest run` invocation) this record belongs to. */
  runId: string
  project: string
  model: RecordedModel
  suite: SuiteStamp
  category: string
  taskId: string
  testId: string
  repeat: number
  /** 0..maxScore; null when not scored (infrastructure error). */
  score: number | null
  maxScore: number
  points: number
  checks: CheckResult[]
  endReason: EndReason
  error?: RecordedError
  calls: number
  toolCalls: number
  textToolCalls: number
  latencyMs: number
  usage: Usage
  retries: number
  cached?: boolean
  /** Coding tasks: how the sandbox contained the model-written code. */
  sandbox?: SandboxUsed
  harness: HarnessStamp
  recordedAt: string
}

/** One task's result for one model: the mean of its scored runs. */
export interface TaskResult {
  category: string
  /** Mean over scored runs; null when no run was scored. */
  score: number | null
  runs: (number | null)[]
  /** Why each run ended, in run order (`budget` marks a timeout). */
  endReasons?: EndReason[]
  /** How far the task's scored runs disagree (src/core/stats.ts runSpread); absent when no run was scored. */
  spread?: RunSpread
  skipped?: string
}

/** The spread of one task's scored run scores, in run-score units (0..maxScore). */
export interface RunSpread {
  min: number
  max: number
  /** Population standard deviation over the task's scored runs (0 for one run). */
  sd: number
}

/**
 * How repeatable a model is over a suite's repeated runs (src/core/stats.ts). A success is a run at full marks; every mean is
 * over the tasks with at least one scored run (infrastructure errors are not runs of the model).
 */
export interface RepeatStats {
  /**
   * pass^k for k = 1..runs (index k - 1), tau-bench's definition: the chance that k runs of a task, drawn without
   * replacement from its n scored runs of which c succeeded, all succeed, C(c, k) / C(n, k), averaged over the tasks
   * with at least k scored runs; null when no task has k. pass^1 is the share of runs at full marks.
   */
  passK: (number | null)[]
  /** Tasks the means are over. */
  tasks: number
  /** Tasks whose scored runs did not all score the same. */
  varying: number
  /** Mean over tasks of the range of run scores (highest minus lowest). */
  meanRange: number
  /** Mean over tasks of the standard deviation of run scores. */
  meanSd: number
}

/**
 * A percentile bootstrap interval of a model's suite score (src/core/stats.ts): tasks resampled with replacement within each
 * category, the score recomputed by the suite's rule each time, from a seeded generator so it is the same every time.
 */
export interface ScoreInterval {
  /** Bounds, in the units of `ModelResult.score`. */
  low: number
  high: number
  /** Coverage, 0.95. */
  level: number
  resamples: number
  seed: number
}

/** One model's result on one suite: a row of the leaderboard. */
export interface ModelResult {
  project: string
  name: string
  model: string
  /** The endpoint the runs went to (src/core/leaderboard.ts endpointOf); absent on rows written before it existed. */
  endpoint?: string
  where: ModelSpec['where']
  context: string
  /** Shared by equal scores (1, 1, 3); null when not comparable with the suite's current hash or not complete. */
  rank: number | null
  /** classic: sum out of `max`; v1: macro mean of categories (0..1); coding-agent: the composite (0..1). */
  score: number
  max: number
  percent: number
  /** v1: the sum of test scores, out of `sumMax`. */
  sum?: number
  sumMax?: number
  /** Mean latency per model call, ms. */
  avgLatencyMs: number
  categories: Record<string, number>
  tasks: Record<string, TaskResult>
  /** Every task has all its runs scored (context-skipped tasks aside) and no infrastructure error. */
  complete: boolean
  /** Scored against the suite's current content hash. */
  comparable: boolean
  hash: string
  runs: number
  infraErrors: number
  retries: number
  modelCalls: number
  toolCalls: number
  /** Tool calls that came back as errors (malformed, unknown tool, invalid arguments, tool error). */
  toolErrors: number
  textToolCalls: number
  tokens: Usage
  /** USD over scored runs, each model call priced at the tier its prompt falls in (src/core/pricing.ts); 0 for local models. */
  cost: number
  endReasons: Partial<Record<EndReason, number>>
  /** coding-agent suites only: the agent metrics; `score` is their composite. */
  agent?: AgentMetrics
  /** pass^k and the spread of run scores over repeated runs. Absent on rows written by harnesses before it existed. */
  repeats?: RepeatStats
  /** 95% interval of `score` from a bootstrap over tasks; absent with no scored task (and on older rows). */
  interval?: ScoreInterval
  runId: string
  finishedAt: string
}

/** The coding-agent suite's metrics for one model, pooled over its scored runs (src/core/scoring.ts agentMetrics). */
export interface AgentMetrics {
  /**
   * The seed's grade of call syntax: the mean form grade of all tool calls (1 for a native call to an offered tool with
   * arguments that are a valid JSON object as sent, 0.5 when the harness had to repair it, 0 when malformed), whatever
   * the calls' outcomes; 0 with no calls.
   */
  toolCallSuccess: number
  /** Tool calls that ran without a tool error (`not_found`, `no_match`, ...), over all tool calls: outcomes, apart from form. */
  toolOutcomeSuccess: number
  /** Runs whose hidden tests all passed at the end, over scored runs. */
  taskCompletion: number
  /** Runs that undid or redid their own work (a file rewritten to an earlier content, an identical failing call repeated), over scored runs. */
  reworkRate: number
  /** 0.5 x toolCallSuccess + 0.3 x taskCompletion + 0.2 x (1 - reworkRate). */
  composite: number
  /** Tasks whose every scored run passed its hidden tests. */
  passCount: number
  /** Tasks with at least one scored run (the pass count is out of this). */
  taskCount: number
  /** Runs that ended on their time budget. */
  timeouts: number
  /** Model time per run (sum of its model calls), ms: median and max over scored runs, timeouts included. */
  taskLatencyMs: { median: number, max: number }
}

/** One suite's board in `results/leaderboard.json`. */
export interface SuiteBoard {
  id: string
  title: string
  version: string
  hash: string
  aggregate: SuiteAggregate
  /** Most points a model can score (60 for classic, 1 for v1's macro mean). */
  max: number
  /** Tasks in the suite, and the most one task scores (3 for classic, 1 for v1). */
  taskCount: number
  maxPerTask: number
  categories: { id: string, title: string }[]
  models: ModelResult[]
  /**
   * How hard each task is, measured on the ranked models that are not reference models: how many scored full marks on
   * it and how many scored 0. A task every one of them aces carries no signal; one every one of them fails is suspect.
   */
  difficulty?: Record<string, TaskDifficulty>
}

/** One task's difficulty on a board (SuiteBoard.difficulty). */
export interface TaskDifficulty {
  category: string
  /** Ranked models (reference models aside) with a score for the task. */
  models: number
  /** Of them, how many scored full marks, and how many 0. */
  full: number
  zero: number
}

/** `results/leaderboard.json`. */
export interface LeaderboardFile {
  schema: 1
  updatedAt: string
  harness: HarnessStamp
  suites: Record<string, SuiteBoard>
}

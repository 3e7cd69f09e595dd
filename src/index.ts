// The public surface of milo-bench as a library: reading any OpenAI-compatible server's replies, classifying its
// errors, the per-server presets, and the shared types. Everything not exported here is internal.

export type { CompletionRequest, CompletionResult, ModelClient } from './models/client.ts'
export type { ErrorBody } from './models/errors.ts'
export type { NormalizedCompletion, NormalizedToolCall } from './models/normalize.ts'
export type { ServerPreset } from './models/presets.ts'
export type {
  ChatMessage,
  CheckResult,
  ContextWindow,
  ErrorKind,
  Json,
  JsonSchema,
  LeaderboardFile,
  ModelEntry,
  ModelParams,
  ModelResult,
  ModelSpec,
  Price,
  PriceRates,
  PriceSource,
  PriceTier,
  RecordedError,
  RepeatStats,
  RunMeta,
  RunRecord,
  RunSpread,
  ScoreInterval,
  ServerKind,
  Step,
  Suite,
  Task,
  ToolCallRecord,
  ToolDefinition,
  Transcript,
  Usage,
} from './core/types.ts'

export { buildRequestBody, createClient, ModelCallError } from './models/client.ts'
export { classifyError, isInfrastructure, isTransient, readErrorBody, redact } from './models/errors.ts'
export { accumulateStream, extractTextToolCalls, normalizeCompletion, parseArguments, splitThinking, StreamError } from './models/normalize.ts'
export { presets, startHint } from './models/presets.ts'

// Writing and scoring benchmarks (worker side: spec files, matchers, the agent loop).
export type { BenchContext, CategoryRubric } from './runtime/bench.ts'
export type { CallBudget } from './models/client.ts'
export type { CheckOptions, ToCallToolOptions } from './runtime/matchers.ts'
export { describeCategory } from './runtime/bench.ts'
export { runAgent } from './runtime/agent.ts'
export { BudgetExhaustedError } from './models/client.ts'
export * as checks from './core/checks.ts'
export { openCache, cacheSettings } from './runtime/cache.ts'
export { startReferenceServer } from './node/reference-server.ts'

// Aggregation, ranking and gating (pure; the reporter's building blocks).
export type { GatePolicy, GateVerdict } from './core/gate.ts'
export { evaluateGate } from './core/gate.ts'
export { mergeLeaderboard } from './core/leaderboard.ts'
export { callCost, ratesFor, runCost } from './core/pricing.ts'
export { rank, scoreRun, summarize } from './core/scoring.ts'
export { bootstrapInterval, modelStats, notSeparable, passHatK, runSpread } from './core/stats.ts'

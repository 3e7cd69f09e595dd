// The public surface of milo-bench as a library: reading any OpenAI-compatible server's replies, classifying its
// errors, the per-server presets, and the shared types. Everything not exported here is internal.

export type { CompletionRequest, CompletionResult, ModelClient } from './client.ts'
export type { ErrorBody } from './errors.ts'
export type { NormalizedCompletion, NormalizedToolCall } from './normalize.ts'
export type { ServerPreset } from './presets.ts'
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
} from './types.ts'

export { buildRequestBody, createClient, ModelCallError } from './client.ts'
export { classifyError, isInfrastructure, isTransient, readErrorBody, redact } from './errors.ts'
export { accumulateStream, extractTextToolCalls, normalizeCompletion, parseArguments, splitThinking, StreamError } from './normalize.ts'
export { presets, startHint } from './presets.ts'

// Writing and scoring benchmarks (worker side: spec files, matchers, the agent loop).
export type { BenchContext, CategoryRubric } from './bench.ts'
export type { CallBudget } from './client.ts'
export type { CheckOptions, ToCallToolOptions } from './matchers.ts'
export { describeCategory } from './bench.ts'
export { runAgent } from './agent.ts'
export { BudgetExhaustedError } from './client.ts'
export * as checks from './checks.ts'
export { openCache, cacheSettings } from './cache.ts'
export { startReferenceServer } from './reference-server.ts'

// Aggregation, ranking and gating (pure; the reporter's building blocks).
export type { GatePolicy, GateVerdict } from './gate.ts'
export { evaluateGate } from './gate.ts'
export { mergeLeaderboard } from './leaderboard.ts'
export { callCost, ratesFor, runCost } from './pricing.ts'
export { rank, scoreRun, summarize } from './scoring.ts'
export { bootstrapInterval, modelStats, notSeparable, passHatK, runSpread } from './stats.ts'

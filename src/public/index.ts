// milo-bench, the worker side: what a spec file and a suite module import. Describe a category's tests and score them
// with the matchers; define a suite, its tools and their state; write an agent of your own. The config side is
// milo-bench/config, the reporter milo-bench/reporter, the pure scoring core milo-bench/core, the built-in suites
// milo-bench/suites.

import '../runtime/matchers.ts'

export type { AnswerSpec, Claim, Fact } from '../core/answers.ts'
export type { ChainStep, ForbiddenCall, Milestone, StatePattern } from '../core/checks.ts'
export type { CategoryDefinition, SuiteDefinition } from '../core/suite.ts'
export type { ToolFamily } from '../core/tools.ts'
export type {
  Category,
  ChatMessage,
  Environment,
  Json,
  JsonSchema,
  SimulatedTool,
  SolutionTurn,
  Suite,
  Task,
  ToolCallRecord,
  ToolDefinition,
  ToolEnv,
  ToolOutcome,
  Transcript,
  Usage,
} from '../core/types.ts'
export type { BenchContext, CategoryRubric } from '../runtime/bench.ts'
export type { CheckOptions, ToCallToolOptions } from '../runtime/matchers.ts'
export type { Agent, AgentInput, AgentOutput } from '../runtime/user-agent.ts'

export { defineSuite, loadCategory } from '../core/suite.ts'
export { array, asRecord, fail, integer, isDate, isEmail, isTime, list, nextId, number, ok, oneOf, own, params, state, string } from '../core/tools.ts'
export { describeCategory } from '../runtime/bench.ts'

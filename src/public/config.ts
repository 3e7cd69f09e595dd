// milo-bench/config, the main-process side: the one function that turns your models, agents and suites into a Vitest
// config, with projects, global setup, setup file and reporters wired.

export type { GatePolicy } from '../core/gate.ts'
export type { ModelEntry, ModelParams, Suite } from '../core/types.ts'
export type { AgentEntry, BenchConfigOptions } from '../node/config.ts'

export { defineBenchConfig } from '../node/config.ts'

// The suites of this run, as the config named them, for the main-process parts that Vitest loads apart from the config
// (the global setup's reference server, a reporter named on the command line, `milo-bench serve`). The config and
// those modules are separate module instances in one process, so the hand-over is on globalThis.

import type { Suite } from '../core/types.ts'

const key = Symbol.for('milo-bench.suites')
const holder = globalThis as typeof globalThis & { [key]?: readonly Suite[] }

/** Called by defineBenchConfig: the suites every project of this run may run. */
export function registerSuites(suites: readonly Suite[]): void {
  holder[key] = suites
}

/** The suites the config registered; an error saying what to do when no config did. */
export function registeredSuites(): readonly Suite[] {
  const suites = holder[key]
  if (!suites) {
    throw new Error('milo-bench: no suites are registered: build the Vitest config with defineBenchConfig from milo-bench/config (or pass the suites to the reporter)')
  }
  return suites
}

/** The registered suites, or none when no config registered any. */
export const registeredSuitesOrNone = (): readonly Suite[] => holder[key] ?? []

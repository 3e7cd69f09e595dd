// milo-bench/suites: the built-in suites (the seed's classic, v1 and coding-agent), their environment of simulated
// tools, and the reference models' model entries, to name beside your own in defineBenchConfig.

export { models as builtinModels } from '../../fixtures/models.ts'
export { classic, codingAgent, environment, suites, v1 } from '../../fixtures/suites.ts'

// Your own agent on the benchmark: `my-agent` runs the loop in bench/agent.ts (the openai SDK, not milo-bench's loop)
// against the embedded server's `oracle` model, on the built-in classic suite and a suite of our own, beside the oracle
// itself driven by milo-bench's loop. Each is a row of the leaderboard.

import { defineBenchConfig } from 'milo-bench/config'
import { builtinModels, classic } from 'milo-bench/suites'
import { shop } from './bench/suite.ts'

export default defineBenchConfig({
  models: { oracle: builtinModels.oracle },
  agents: {
    'my-agent': { name: 'my agent (openai SDK loop, oracle model)', module: 'bench/agent.ts', model: 'oracle' },
  },
  suites: [classic, shop],
})

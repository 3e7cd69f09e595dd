// A benchmark of your own suite: the models to compare (here the embedded reference models, which need no key and no
// server), and the suites to run them on. `npx vitest run` scores them and writes results/.

import { defineBenchConfig } from 'milo-bench/config'
import { builtinModels } from 'milo-bench/suites'
import { library } from './bench/suite.ts'

export default defineBenchConfig({
  models: { oracle: builtinModels.oracle, baseline: builtinModels.baseline },
  suites: [library],
})

import { startReferenceServer } from '../../src/node/reference-server.ts'
import { root } from '../support/run-bench.ts'
import { workloadSuite } from './workload-suite.ts'
const server = await startReferenceServer({ suites: [workloadSuite(200, root)] })
console.log(server.url)
await new Promise(() => {})

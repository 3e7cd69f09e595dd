// The single-turn loopback workload of `npm run perf`: a user-added suite of N tasks, each answered by one model call
// that makes one tool call (maxSteps 1), run 3 times. The same tasks drive the bare Vitest + openai SDK floor, so the
// two measure the same traffic: what milo-bench adds around each call is the difference. The perf run copies this
// file into a project of a user's own, importing milo-bench as an installed package (test/perf/workload.ts).

import type { Suite } from '../../src/core/types.ts'
import { defineSuite, ok, params, string } from '../../src/public/index.ts'

export const workloadRuns = 3

const orderId = (index: number): string => `ORD-${String(10_000 + index)}`
export const workloadPrompt = (index: number): string => `What is the status of order ${orderId(index)}?`

export const lookupOrder = {
  name: 'lookup_order',
  description: 'Look an order up by its id; returns its status.',
  parameters: params({ id: string('The order id, e.g. "ORD-10001"') }),
  readOnly: true,
}

export function workloadSuite(tasks: number, root: string | URL): Suite {
  return defineSuite({
    id: 'workload',
    title: 'Loopback workload',
    version: '1.0.0',
    root,
    runs: workloadRuns,
    tools: [{ ...lookupOrder, run: args => ok({ id: String(args.id), status: 'shipped' }) }],
    categories: [{
      id: 'lookup',
      title: 'Order lookup',
      rubric: 'lookup.spec.ts',
      tasks: Array.from({ length: tasks }, (_, index) => ({
        id: `order-${String(index)}`,
        prompt: workloadPrompt(index),
        tools: ['lookup_order'],
        maxSteps: 1,
        expect: { arguments: { id: orderId(index) } },
        solution: [{ calls: [{ name: 'lookup_order', arguments: { id: orderId(index) } }] }],
      })),
    }],
  })
}

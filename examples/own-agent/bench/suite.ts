// A suite of our own for the agent: an order lookup and a refund, with a tool that changes the state, so the rubric
// can check what the agent did (the end state) as well as what it said.

import type { Json } from 'milo-bench'
import { array, asRecord, defineSuite, fail, nextId, number, ok, params, state, string } from 'milo-bench'

const order = (env: Parameters<typeof state>[0], id: unknown): Record<string, Json> | undefined =>
  array(state(env, 'shop'), 'orders').map(asRecord).find(row => row.id === String(id))

export const shop = defineSuite({
  id: 'shop',
  title: 'Shop support',
  version: '1.0.0',
  root: new URL('.', import.meta.url),
  tools: [
    {
      name: 'get_order',
      description: 'Get an order by its id (ORD-...): status, total and currency.',
      parameters: params({ order_id: string('Order id, e.g. ORD-1') }),
      readOnly: true,
      run: (args, env) => {
        const found = order(env, args.order_id)
        return found ? ok(found) : fail('not_found', `no order '${String(args.order_id)}'`)
      },
    },
    {
      name: 'refund_order',
      description: 'Refund an amount of an order to the card it was paid with; returns the refund id.',
      parameters: params({ order_id: string('Order id'), amount: number('Amount to refund, at most the order total') }),
      run: (args, env) => {
        const found = order(env, args.order_id)
        if (!found) {
          return fail('not_found', `no order '${String(args.order_id)}'`)
        }
        if (Number(args.amount) <= 0 || Number(args.amount) > Number(found.total)) {
          return fail('bad_request', `the amount must be more than 0 and at most ${String(found.total)}`)
        }
        const shop = state(env, 'shop')
        const id = nextId(shop, 'RF')
        array(shop, 'refunds').push({ id, order_id: String(found.id), amount: Number(args.amount) })
        return ok({ refund_id: id, status: 'refunded' })
      },
    },
  ],
  state: { shop: { next_id: 1, orders: [{ id: 'ORD-1', status: 'delivered', total: 80, currency: 'EUR' }], refunds: [] } },
  categories: [{
    id: 'support',
    title: 'Support',
    rubric: 'support.spec.ts',
    tasks: [
      {
        id: 'order-status',
        prompt: 'What is the status of my order ORD-1?',
        tools: ['get_order', 'refund_order'],
        expect: { answer: ['delivered'] },
        solution: [
          { calls: [{ name: 'get_order', arguments: { order_id: 'ORD-1' } }] },
          { final: 'Order ORD-1 has been delivered.' },
        ],
      },
      {
        id: 'half-refund',
        prompt: 'Order ORD-1 arrived half broken: refund half of what it cost to my card, and tell me the refund id.',
        tools: ['get_order', 'refund_order'],
        expect: { state: { shop: { refunds: { $some: { order_id: 'ORD-1', amount: 40 } } } }, answer: [{ id: { $state: 'shop.refunds.0.id' } }] },
        solution: [
          { calls: [{ name: 'get_order', arguments: { order_id: 'ORD-1' } }] },
          { calls: [{ name: 'refund_order', arguments: { order_id: 'ORD-1', amount: 40 } }] },
          { final: 'Refunded 40 EUR, half of ORD-1\'s 80 EUR, to your card: refund RF-0001.' },
        ],
      },
    ],
  }],
})

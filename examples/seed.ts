/**
 * Demo instances for the inspector, created over the HTTP API (so they go
 * through validation, policies and the commit path like any caller's):
 * orders in every state of the order machine and checkouts that complete or
 * fail and compensate. `npm start` runs this when the database is empty.
 */

type Fetch = typeof fetch;

interface Step {
  readonly type: string;
  readonly [field: string]: unknown;
}

const ORDERS: readonly { id: string; total: number; events: Step[] }[] = [
  { id: 'order-1001', total: 40, events: [] },
  { id: 'order-1002', total: 125, events: [] },
  { id: 'order-1003', total: 18.5, events: [] },
  { id: 'order-1004', total: 60, events: [{ type: 'Pay' }] },
  { id: 'order-1005', total: 99, events: [{ type: 'Pay', amount: 99 }] },
  { id: 'order-1006', total: 250, events: [{ type: 'Pay' }, { type: 'Pack' }] },
  { id: 'order-1007', total: 35, events: [{ type: 'Pay' }, { type: 'Pack' }] },
  { id: 'order-1008', total: 72, events: [{ type: 'Pay' }, { type: 'Ship', carrier: 'dhl' }] },
  {
    id: 'order-1009',
    total: 15,
    events: [
      { type: 'Pay' },
      { type: 'Pack' },
      { type: 'Ship', carrier: 'ups' },
      { type: 'Deliver' },
    ],
  },
  { id: 'order-1010', total: 48, events: [{ type: 'Pay' }, { type: 'Ship' }, { type: 'Deliver' }] },
  { id: 'order-1011', total: 20, events: [{ type: 'Cancel', reason: 'changed my mind' }] },
  {
    id: 'order-1012',
    total: 310,
    events: [{ type: 'Pay' }, { type: 'Cancel', reason: 'out of stock' }],
  },
];

const CHECKOUTS: readonly { id: string; items: string[]; amount: number }[] = [
  { id: 'checkout-2001', items: ['book', 'lamp'], amount: 64 },
  { id: 'checkout-2002', items: ['desk'], amount: 420 },
  // Over 1000: the card is declined, the reservation is released, the saga ends in `failed`.
  { id: 'checkout-2003', items: ['piano'], amount: 4200 },
];

/** Creates the demo instances against a running server; returns how many were created. */
export async function seedDemo(
  baseUrl: string,
  options: { token?: string; fetch?: Fetch } = {},
): Promise<number> {
  const f = options.fetch ?? fetch;
  const headers = {
    'content-type': 'application/json',
    ...(options.token && { authorization: `Bearer ${options.token}` }),
  };
  const post = async (path: string, body: unknown, key: string) => {
    const res = await f(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': key },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
  };
  let created = 0;
  for (const order of ORDERS) {
    await post(
      '/v1/machines/order/instances',
      { id: order.id, input: { total: order.total } },
      `seed-${order.id}`,
    );
    created++;
    for (const [i, event] of order.events.entries()) {
      await post(`/v1/machines/order/instances/${order.id}/events`, event, `seed-${order.id}-${i}`);
    }
  }
  for (const c of CHECKOUTS) {
    await post(
      '/v1/machines/checkout/instances',
      { id: c.id, input: { items: c.items, amount: c.amount } },
      `seed-${c.id}`,
    );
    created++;
  }
  return created;
}

/** True when none of the server's machines has an instance yet. */
export async function isEmpty(
  baseUrl: string,
  options: { token?: string; fetch?: Fetch } = {},
): Promise<boolean> {
  const f = options.fetch ?? fetch;
  const headers: Record<string, string> = options.token
    ? { authorization: `Bearer ${options.token}` }
    : {};
  const list = await f(`${baseUrl}/v1/machines`, { headers });
  if (!list.ok) throw new Error(`GET /v1/machines answered ${list.status}`);
  const { machines } = (await list.json()) as { machines: { name: string }[] };
  for (const m of machines) {
    const res = await f(`${baseUrl}/v1/machines/${encodeURIComponent(m.name)}/instances?limit=1`, {
      headers,
    });
    if (!res.ok) throw new Error(`Listing ${m.name} answered ${res.status}`);
    const page = (await res.json()) as { instances: unknown[] };
    if (page.instances.length > 0) return false;
  }
  return true;
}

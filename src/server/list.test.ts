import { describe, expect, it } from 'vitest';
import { harness, manualClock, ORDERS, problemOf } from './test-support/harness.js';

type Page = { instances: { id: string }[]; next: string | null };

async function orders() {
  const clock = manualClock();
  const h = await harness({ clock });
  for (const id of ['a', 'b', 'c', 'd']) await h.call('POST', ORDERS, { id, input: { total: 10 } });
  clock.advance(60_000);
  await h.call('POST', `${ORDERS}/b/events`, { type: 'Pay' });
  await h.call('POST', `${ORDERS}/c/events`, { type: 'Pay' });
  await h.call('POST', `${ORDERS}/c/events`, { type: 'Pack' });
  await h.call('POST', `${ORDERS}/d/events`, { type: 'Cancel' });
  clock.advance(1_000);
  const ids = async (query: string) =>
    ((await (await h.call('GET', `${ORDERS}${query}`)).json()) as Page).instances.map((i) => i.id);
  return { h, ids };
}

describe('listing instances', () => {
  it('filters by state path, including substates', async () => {
    const { ids } = await orders();
    expect(await ids('?state=paid')).toEqual(['b', 'c']);
    expect(await ids('?state=paid.packed')).toEqual(['c']);
    expect(await ids('?state=pending')).toEqual(['a']);
  });

  it('filters by status', async () => {
    const { ids } = await orders();
    expect(await ids('?status=done')).toEqual(['d']);
    expect(await ids('?status=active')).toEqual(['a', 'b', 'c']);
  });

  it('filters by time in the current state', async () => {
    const { ids } = await orders();
    expect(await ids('?minTimeInState=30000')).toEqual(['a']);
    expect(await ids('?minTimeInState=500')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('pages with a cursor', async () => {
    const { h } = await orders();
    const first = (await (await h.call('GET', `${ORDERS}?limit=3`)).json()) as Page;
    expect(first.instances.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    const rest = (await (
      await h.call('GET', `${ORDERS}?limit=3&cursor=${first.next}`)
    ).json()) as Page;
    expect(rest).toMatchObject({ instances: [{ id: 'd' }], next: null });
  });

  it('filters by id prefix and by version, with paging', async () => {
    const { h, ids } = await orders();
    for (const id of ['eu-1', 'eu-2', 'eu-3', 'us-1']) {
      await h.call('POST', ORDERS, { id, input: { total: 10 } });
    }
    expect(await ids('?idPrefix=eu-')).toEqual(['eu-1', 'eu-2', 'eu-3']);
    expect(await ids('?idPrefix=eu-&limit=2&cursor=eu-1')).toEqual(['eu-2', 'eu-3']);
    expect(await ids('?idPrefix=a')).toEqual(['a']);
    expect(await ids('?idPrefix=eu&state=pending&version=1')).toHaveLength(3);
    expect(await ids('?version=2')).toEqual([]);
  });

  it.each([
    '?status=sleeping',
    '?idPrefix=',
    '?idPrefix=a%2Fb',
    '?version=',
    '?limit=5000',
    '?minTimeInState=-1',
    '?colour=red',
    '?cursor=%00',
  ])('refuses %s with 400', async (query) => {
    const { h } = await orders();
    const res = await h.call('GET', `${ORDERS}${query}`);
    expect(await problemOf(res)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });
});

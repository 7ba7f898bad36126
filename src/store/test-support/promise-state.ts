/**
 * How `promise` stands after the callbacks already queued have run: for tests
 * that show something waits (`'pending'`) until a step the test controls.
 */
export async function promiseState(
  promise: Promise<unknown>,
): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
}

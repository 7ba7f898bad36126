/** Reads `count` SSE messages of type `event` (their id and parsed data) from a response body, then cancels it. */
export async function readSseMessages<T>(
  response: Response,
  event: string,
  count: number,
): Promise<{ id: string; data: T }[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const out: { id: string; data: T }[] = [];
  let buffer = '';
  try {
    while (out.length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0 && out.length < count) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (name: string) =>
          block
            .split('\n')
            .find((l) => l.startsWith(`${name}: `))
            ?.slice(name.length + 2);
        if (field('event') === event)
          out.push({ id: field('id')!, data: JSON.parse(field('data')!) });
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel();
  }
  return out;
}

/** Reads `count` SSE messages of type `transition` from a response body, then cancels it. */
export function readTransitions(
  response: Response,
  count: number,
): Promise<
  {
    id: string;
    data: {
      event: { seq: number; type: string };
      state: { value: unknown; status: string } | null;
    };
  }[]
> {
  return readSseMessages(response, 'transition', count);
}

/** Reads the body to its end (for streams the server closes). */
export async function drain(response: Response): Promise<string> {
  return await response.text();
}

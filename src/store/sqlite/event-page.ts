import { type EventColumns, eventRowOf } from '../sql/rows.js';
import type { EventRow, InstanceKey } from '../types.js';
import type { Statements } from './statements.js';

/** Most rows one statement run reads: a chunk past the byte cap costs at most this many. */
const MAX_CHUNK = 256;

/**
 * One page of an instance's events after `after`: at most `limit` rows, ending
 * where their payloads (UTF-8 bytes) would pass `maxBytes`, a first row always
 * included. Rows are read in chunks with `all()`, a third cheaper per row than
 * stepping a statement (`iterate`). A chunk is sized so that, at the largest
 * payload seen so far, it stays within the bytes left: the first reads one
 * row, so a page of large payloads does not read many rows it then drops.
 */
export function readEventPage(
  s: Statements,
  key: InstanceKey,
  after: number,
  limit: number,
  maxBytes: number,
): EventRow[] {
  const rows: EventRow[] = [];
  let bytes = 0;
  let largest = 0;
  let seq = after;
  while (rows.length < limit) {
    const left = limit - rows.length;
    const fit = largest === 0 ? 1 : Math.floor((maxBytes - bytes) / largest);
    const size = Math.max(1, Math.min(left, MAX_CHUNK, fit));
    const chunk: EventColumns[] = s.readEvents.all({
      machine: key.machine,
      id: key.id,
      after: seq,
      limit: size,
    });
    for (const columns of chunk) {
      const payloadBytes = Buffer.byteLength(columns[2]);
      bytes += payloadBytes;
      if (bytes > maxBytes && rows.length > 0) return rows;
      if (payloadBytes > largest) largest = payloadBytes;
      rows.push(eventRowOf(key, columns));
      seq = columns[0];
    }
    // A short chunk is the end of the history: no statement run to find it empty.
    if (chunk.length < size || bytes >= maxBytes) return rows;
  }
  return rows;
}

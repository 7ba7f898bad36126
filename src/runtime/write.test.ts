import { describe, expect, it } from 'vitest';
import { traceId } from './write.js';

describe('traceId (the audit entry’s trace id, read off the stored traceparent)', () => {
  it('is the 32 hex digits after the version', () => {
    expect(
      traceId({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
    ).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('is null without a traceparent, or when the header is not shaped like one', () => {
    expect(traceId(null)).toBeNull();
    expect(traceId({})).toBeNull();
    expect(traceId({ traceparent: '' })).toBeNull();
    expect(traceId({ traceparent: '00-abc-b7ad6b7169203331-01' })).toBeNull();
    expect(
      traceId({ traceparent: '00-0af7651916cd43dd-448eb211c80319c-b7ad6b7169203331-01' }),
    ).toBeNull();
    expect(
      traceId({ traceparent: '000af7651916cd43dd8448eb211c80319cb7ad6b7169203331' }),
    ).toBeNull();
  });
});

import type { IncomingMessage } from 'node:http';
import { sampledAtGate } from './sampling-gate';
import { gateRatioFrom } from './tracing';

const request = (traceparent?: string): IncomingMessage =>
  ({ headers: traceparent === undefined ? {} : { traceparent } }) as IncomingMessage;
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

describe('sampledAtGate', () => {
  it("should follow a traceparent's sampled flag whatever the ratio", () => {
    expect(sampledAtGate(request(`00-${TRACE}-${PARENT}-01`), 0, () => 0.99)).toBe(true);
    expect(sampledAtGate(request(`00-${TRACE}-${PARENT}-00`), 1, () => 0)).toBe(false);
  });

  it('should draw at the ratio without a traceparent, or with one that does not parse', () => {
    expect(sampledAtGate(request(), 0.1, () => 0.05)).toBe(true);
    expect(sampledAtGate(request(), 0.1, () => 0.5)).toBe(false);
    expect(sampledAtGate(request('00-not-a-trace-01'), 0.1, () => 0.5)).toBe(false);
  });
});

describe('gateRatioFrom', () => {
  it.each([
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }, 0.1],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' }, undefined],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }, undefined],
    [{}, undefined],
  ])('should gate only parentbased_traceidratio below 1 (%j → %p)', (env, expected) => {
    expect(gateRatioFrom(env)).toBe(expected);
  });
});

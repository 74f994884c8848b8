/**
 * The W3C Trace Context an event carries in its `traceparent` extension attribute (CloudEvents
 * Distributed Tracing extension), as log fields: `trace_id` and `span_id` are the names
 * OpenTelemetry's log correlation looks for. A malformed value is left out of logs (W3C says to
 * ignore it), never a reason to refuse the event.
 */
export interface TraceFields {
  traceparent: string;
  trace_id: string;
  span_id: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

export function traceFields(event: unknown): TraceFields | undefined {
  const traceparent = (event as { traceparent?: unknown } | null)?.traceparent;
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent);
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2]!) || /^0+$/.test(match[3]!)) return undefined;
  return { traceparent, trace_id: match[2]!, span_id: match[3]! };
}

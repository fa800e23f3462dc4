// What tells a CloudWatch Logs subscription delivery apart from every other event, on its own so
// that a function can recognise one without bundling the decoder (zlib, the envelope scanner).
export function isLogsSubscriptionEvent(raw: unknown): raw is { awslogs: { data: unknown } } {
  return typeof raw === 'object' && raw !== null && 'awslogs' in raw;
}

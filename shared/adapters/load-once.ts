/**
 * Loads a module the first time it is needed, once; a failed load is tried again next time.
 * Adapters that only some configurations or event kinds use (Slack with SSM and Secrets Manager,
 * the alarm resolver with CloudWatch, the kill switch with SSM) are split into their own chunks, so
 * an invocation that does not need them never loads them and a cold start stays short.
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  }));
}

/** Counts the calls a client makes, by wrapping its send: the emulator cannot tell us what was cached. */
export function countCalls<C extends { send: (...args: never[]) => unknown }>(client: C): { count: number } {
  const counter = { count: 0 };
  const send = client.send.bind(client) as C['send'];
  client.send = ((...args: Parameters<C['send']>) => {
    counter.count += 1;
    return send(...args);
  }) as C['send'];
  return counter;
}

// JSON.parse that answers undefined instead of throwing: the payload reader and the envelope
// scanner both try a parse and fall back to another reading when it fails.

/** JSON.parse, or undefined (which no JSON text parses to) when the text is not JSON. */
export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Untrusted text (stop reasons, container, cluster and service names, tag values) into Slack text.
// ECS reports whatever a container or an API caller wrote, so a stop reason may hold `<!channel>`,
// `<https://evil|click here>` or a stray ``` that swallows the rest of a message. Everything here
// makes such text inert: Slack parses mentions and links only inside `<...>`, and its documented
// escaping (& -> &amp;, < -> &lt;, > -> &gt;; https://api.slack.com/reference/surfaces/formatting#escaping)
// removes every `<`. The rest keeps formatting from leaking out of the value it came with.
//
// Lengths are counted in UTF-16 code units (String#length). Slack counts characters; a code unit
// count is never smaller than that, so a value within our count is within Slack's.

/** ASCII controls except \t and \n, DEL, and the C1 controls (0x9B is a terminal CSI). */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
/** Bidirectional overrides and isolates: they make text read differently from what it is. */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** Half a surrogate pair is not valid UTF-8; Slack (and many JSON readers) reject it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes what no reader should receive: control characters (but \n, \t), bidi overrides, lone surrogates. */
export function sanitizeText(text: string): string {
  return text.replace(CONTROL, '').replace(BIDI, '').replace(LONE_SURROGATE, '\uFFFD');
}

export interface Truncated {
  text: string;
  /** How many UTF-16 code units of the input were cut (0 when it fitted). */
  cut: number;
}

const ELLIPSIS = '…';

/**
 * At most `max` code units, ending in '…' when anything was cut. Cuts on a code-point boundary, so
 * a surrogate pair (an emoji, a CJK extension character) is kept whole or dropped whole.
 */
export function truncate(text: string, max: number): Truncated {
  if (text.length <= max) return { text, cut: 0 };
  if (max < ELLIPSIS.length) return { text: '', cut: text.length };
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { text: text.slice(0, end) + ELLIPSIS, cut: text.length - end };
}

/** Slack's three entities. Only ever applied to text that has been through sanitizeText. */
function escapeEntities(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Truncates text that is already escaped without leaving half an entity (`&am…`) behind: `&` only
 * occurs in escaped text as the start of an entity, so a trailing `&` plus letters is a cut one.
 */
function truncateEscaped(escaped: string, max: number): string {
  const { text, cut } = truncate(escaped, max);
  if (cut === 0 || text === '') return text;
  return text.slice(0, -ELLIPSIS.length).replace(/&[a-z]*$/, '') + ELLIPSIS;
}

// Look-alikes for mrkdwn markers, used only where the marker would format: a reader sees the same
// text, Slack sees nothing to parse.
const BACKTICK_LOOKALIKE = '\u02CB'; // ˋ modifier letter grave accent
const MARKER_LOOKALIKES: Record<string, string> = { '*': '\u2217', _: '\uFF3F', '~': '\u223C' }; // ∗ ＿ ∼
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * `*bold*`, `_italic_` and `~strike~` only open or close next to a space or punctuation, so a
 * marker between two letters or digits (`my_cluster_name`) is left as it is and stays copyable.
 */
function neutraliseEmphasis(text: string): string {
  return text.replace(/[*_~]/g, (marker, index: number) => {
    const inWord = WORD_CHAR.test(text.charAt(index - 1)) && WORD_CHAR.test(text.charAt(index + 1));
    return inWord ? marker : (MARKER_LOOKALIKES[marker] ?? marker);
  });
}

/**
 * Escapes untrusted text for a mrkdwn text object, optionally cut to `max` code units. No mention,
 * link, code span, code block, emphasis or block quote can start inside the result.
 */
export function escapeMrkdwn(text: string, max = Number.POSITIVE_INFINITY): string {
  const neutral = neutraliseEmphasis(sanitizeText(text))
    // A backtick opens an inline code span (or a ``` block) that runs on over our own formatting.
    .replace(/`/g, BACKTICK_LOOKALIKE)
    // Slack quotes a line that starts with `>` (even as &gt;), which would make a reason look like a reply.
    .replace(/^([ \t]*)>/gm, '$1\u203A')
    // Plain @here is not a mention in Block Kit, but `link_names` or a client may still ping it.
    .replace(/@(?=(?:channel|here|everyone)\b)/gi, '@\u2060');
  return truncateEscaped(escapeEntities(neutral), max);
}

/**
 * Untrusted text as one inline code span, at most `max` code units including the backticks. Inside
 * a code span only a backtick (it would close the span) and a line break (spans do not cross lines)
 * change meaning; both are replaced. Empty text renders as `(empty)`, since `` is not a span.
 */
export function inlineCode(text: string, max = Number.POSITIVE_INFINITY): string {
  const body = escapeEntities(sanitizeText(text).replace(/[\n\t]+/g, ' ').replace(/`/g, BACKTICK_LOOKALIKE));
  if (body.trim() === '') return '(empty)';
  return `\`${truncateEscaped(body, max - 2)}\``;
}

/** Without leading and trailing line breaks. Not `/\n+$/`: it backtracks over every inner run of breaks (quadratic). */
function trimLineBreaks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) === 10) start += 1;
  while (end > start && text.charCodeAt(end - 1) === 10) end -= 1;
  return text.slice(start, end);
}

/**
 * Untrusted, possibly multi-line text as a ``` block, at most `max` code units including the fences.
 * No backtick survives, so nothing inside can close the block early.
 */
export function codeBlock(text: string, max = Number.POSITIVE_INFINITY): string {
  const body = trimLineBreaks(escapeEntities(sanitizeText(text).replace(/`/g, BACKTICK_LOOKALIKE)));
  if (body.trim() === '') return '(empty)';
  return `\`\`\`${truncateEscaped(body, max - 6)}\`\`\``;
}

/**
 * Text for a plain_text object (header, button label). Slack does not parse mrkdwn there, and its
 * handling of entities in plain_text is not specified, so instead of escaping, angle brackets become
 * look-alikes (‹ ›): the text reads the same whether or not Slack decodes entities.
 */
export function plainText(text: string, max = Number.POSITIVE_INFINITY): string {
  return truncate(sanitizeText(text).replace(/</g, '\u2039').replace(/>/g, '\u203A'), max).text;
}

// What a mention may look like in the configuration: a special mention, a user group, or a user.
const MENTION = /^<(?:!here|!channel|!everyone|!subteam\^[A-Z0-9]+|@[UW][A-Z0-9]+)(?:\|[^<>|]{1,80})?>$/;

/** True for a Slack mention the configuration may add: `<!here>`, `<!subteam^S123>`, `<@U123>`. */
export function isSlackMention(value: string): boolean {
  return value.length <= 120 && MENTION.test(value);
}

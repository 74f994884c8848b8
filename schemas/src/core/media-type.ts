/**
 * Media types as CloudEvents carries them in `datacontenttype` and Kafka's `content-type` header
 * (RFC 9110 §8.3.1: `type/subtype` with `; name=value` parameters, names and types case-insensitive).
 */
export interface MediaType {
  /** `type/subtype`, lower case. */
  essence: string;
  /** Parameter names lower case; values unquoted, as sent. */
  parameters: Record<string, string>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const ESSENCE = new RegExp(`^(${TOKEN})/(${TOKEN})$`);
const PARAMETER = new RegExp(`^(${TOKEN})=(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")$`);

/** The parsed media type, or undefined when the text is not one. */
export function parseMediaType(text: string): MediaType | undefined {
  const [head, ...rest] = text.split(';');
  const essence = ESSENCE.exec(head!.trim());
  if (!essence) return undefined;
  const parameters: Record<string, string> = {};
  for (const part of rest) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const parameter = PARAMETER.exec(trimmed);
    if (!parameter) return undefined;
    const value = parameter[2]!;
    parameters[parameter[1]!.toLowerCase()] = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
  }
  return { essence: `${essence[1]}/${essence[2]}`.toLowerCase(), parameters };
}

/**
 * Why data of this media type cannot be read as JSON text, or undefined when it can: JSON
 * (`application/json`, `text/json`, any `+json` suffix) in UTF-8, the only encoding JSON allows
 * between systems (RFC 8259 §8.1).
 */
export function notJsonText(mediaType: string): string | undefined {
  // Producers send one or two media types on every event: each distinct text is judged once.
  if (judged.has(mediaType)) return judged.get(mediaType);
  const verdict = judgeJsonText(mediaType);
  if (judged.size >= MAX_JUDGED) judged.clear();
  judged.set(mediaType, verdict);
  return verdict;
}

/** Verdicts by media-type text; a flood of distinct texts only clears it now and then. */
const judged = new Map<string, string | undefined>();
const MAX_JUDGED = 64;

function judgeJsonText(mediaType: string): string | undefined {
  const parsed = parseMediaType(mediaType);
  if (!parsed) return `'${mediaType.slice(0, 100)}' is not a media type`;
  const { essence, parameters } = parsed;
  if (essence !== 'application/json' && essence !== 'text/json' && !essence.endsWith('+json')) {
    return `${essence} is not JSON; govstats reads event data as JSON`;
  }
  const charset = parameters['charset'];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) return `charset ${charset} is not UTF-8`;
  return undefined;
}

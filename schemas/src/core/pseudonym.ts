import { z } from 'zod';

/**
 * People and households appear only under pseudonymous ids (a salted hash or an opaque number
 * issued by the grid system), never a name or an ID-card number.
 */
export const pseudonymousId = z
  .string()
  .min(6)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an opaque pseudonymous id (letters, digits, _ and -)');

/** Short identifiers issued by the grid system (grid, case, session, cooperative ids). */
export const recordId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -');

/**
 * Text that reaches bulletins and BI tools verbatim. Values are never spliced into SQL or HTML
 * unescaped, but markup or statement-like text in a course title or product name is not a real
 * label: it is refused so it never reaches a published table.
 */
const MARKUP_OR_INJECTION =
  /<\s*\/?\s*[A-Za-z!?]|javascript:|\bon[a-z]+\s*=|;\s*(drop|delete|insert|update|alter|truncate|select|create|grant|exec)\b|\bunion\s+(all\s+)?select\b|['"`]\s*(or|and)\s+['"`]?\w+['"`]?\s*=|--\s*$|\/\*/i;

/** Free text shown in reports (course titles, product names): bounded, printable, not markup or SQL. */
export const label = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .refine((text) => !MARKUP_OR_INJECTION.test(text), 'looks like markup or an injection attempt, not a label');

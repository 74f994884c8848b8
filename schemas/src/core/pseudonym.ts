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

/** Free text shown in reports (course titles, product names): bounded, no control characters. */
export const label = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

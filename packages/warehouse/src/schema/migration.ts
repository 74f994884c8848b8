/**
 * A migration is a named list of statements. Versioned ones run once and must never change after
 * they ran; repeatable ones (views) run again whenever their statements change.
 */
export interface Migration {
  id: string;
  description: string;
  statements: string[];
  repeatable?: boolean;
}

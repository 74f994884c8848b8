import { refusal, type Caller, type ReaderScope } from '../guard/statement-policy.ts';
import { UnparsableStatement, type StatementShape } from '../guard/statement-shape.ts';
import type { StatementShapes } from '../guard/statement-shapes.ts';
import { Refused } from './request-checks.ts';

/** The statement's shape when this caller may run it; otherwise a refusal that says why. */
export async function admitStatement(
  shapes: StatementShapes,
  statement: string,
  params: Record<string, string>,
  caller: Caller,
  scope?: ReaderScope,
): Promise<StatementShape> {
  let shape: StatementShape;
  try {
    shape = await shapes.of(statement, params);
  } catch (error) {
    if (error instanceof UnparsableStatement) throw new Refused(400, error.message, '62', 'SYNTAX_ERROR');
    // Through another process's endpoint, that endpoint's guard may refuse the parse itself.
    if ((error as { type?: string }).type === 'ACCESS_DENIED') throw new Refused(403, (error as Error).message);
    throw error;
  }
  const refused = refusal(shape, caller, scope);
  if (refused) throw new Refused(403, refused);
  return shape;
}

export function isSelect(shape: StatementShape): boolean {
  return shape.kind === 'SelectWithUnionQuery' || shape.kind === 'SelectIntersectExceptQuery';
}

import { z } from 'zod';
import type { RollupLevel } from '../../core/division-code.ts';
import { defineContractVersion } from '../../core/event-type.ts';
import { recordId } from '../../core/pseudonym.ts';

/** Grids are set up by a village or community for its own territory (grids sit below villages). */
export const SUBJECT_LEVELS: readonly RollupLevel[] = ['village'];

export const GRID_KINDS = [
  'villager_group', // 村民小组网格 (rural base grid)
  'urban', // 城市社区网格 (urban base grid)
  'area', // 片区 (a zone grouping base grids)
  'micro', // 微网格 (a subdivision of a grid or area; always has a parent)
  'street_station', // 街巷服务站
] as const;

export type GridKind = (typeof GRID_KINDS)[number];

/** The base grids: together they cover a village or community once, so households are counted on them only. */
export const BASE_GRID_KINDS: readonly GridKind[] = ['villager_group', 'urban'];

/** created → (changed →)* retired. A grid's kind never changes: a kind change is a retirement and a new grid. */
export const GRID_STEPS = ['created', 'changed', 'retired'] as const;

/** Sane bounds for one grid, whatever its kind (local rules on micro-grid size differ: 10–30, 30–50 households …). */
export const MAX_GRID_HOUSEHOLDS = 20_000;
export const MAX_GRID_MEMBERS = 50;

const households = z.int().min(0).max(MAX_GRID_HOUSEHOLDS);
const members = z.int().min(0).max(MAX_GRID_MEMBERS);

/** One step in the register of grids (网格设置台账): a grid set up, adjusted or retired, version 1. */
export const gridRegisterV1 = z
  .object({
    grid_id: recordId.describe('grid id, the same for every step of one grid, unique within the village or community'),
    parent_grid_id: recordId
      .optional()
      .describe('the grid or area (片区) this one subdivides; required for micro-grids (微网格), optional for other kinds'),
    kind: z.enum(GRID_KINDS).describe('kind of grid; the same on every step of one grid'),
    step: z.enum(GRID_STEPS),
    households: households.describe('households the grid covers: after this step for created and changed, what it had for retired'),
    members: members.describe('grid members (网格员) assigned: after this step for created and changed, what it had for retired'),
    previous_households: households.optional().describe('changed only: households the grid covered before the change'),
    previous_members: members.optional().describe('changed only: grid members assigned before the change'),
  })
  .strict()
  .refine((d) => d.kind !== 'micro' || d.parent_grid_id !== undefined, {
    message: 'a micro-grid (微网格) must name its parent_grid_id, the grid or area it subdivides',
    path: ['parent_grid_id'],
  })
  .refine((d) => d.parent_grid_id !== d.grid_id, { message: 'a grid cannot be its own parent', path: ['parent_grid_id'] })
  .refine((d) => d.step !== 'changed' || (d.previous_households !== undefined && d.previous_members !== undefined), {
    message: 'previous_households and previous_members are required for a changed step (the values being left)',
    path: ['previous_households'],
  })
  .refine((d) => d.step === 'changed' || (d.previous_households === undefined && d.previous_members === undefined), {
    message: 'previous_households and previous_members belong to a changed step only',
    path: ['previous_households'],
  });

export type GridRegisterV1 = z.output<typeof gridRegisterV1>;

export const gridRegisterContracts = [
  defineContractVersion(1, gridRegisterV1, (d) => ({
    grid_id: d.grid_id,
    parent_grid_id: d.parent_grid_id ?? '',
    kind: d.kind,
    step: d.step,
    households: d.households,
    members: d.members,
    previous_households: d.previous_households ?? 0,
    previous_members: d.previous_members ?? 0,
  })),
];

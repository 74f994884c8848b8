import { z } from 'zod';
import { COMMON_COLUMNS } from './core/raw-table.ts';
import type { EventTypeDefinition } from './core/event-type.ts';
import type { Measure } from './core/rollup-spec.ts';
import { EVENT_TYPES, cloudEventType } from './registry.ts';

/*
 * The reference of the event types (schemas/event-types.md), generated from the registry like the
 * JSON Schemas, so it cannot drift from the code: a test fails when the checked-in copy is stale.
 */

const cell = (text: unknown) =>
  String(text ?? '')
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ');
const row = (cells: unknown[]) => `| ${cells.map(cell).join(' | ')} |`;
const table = (head: string[], rows: unknown[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const code = (text: string) => `\`${text}\``;

interface JsonField {
  type?: string | string[];
  enum?: unknown[];
  description?: string;
  anyOf?: JsonField[];
}

function fieldType(field: JsonField): string {
  if (field.enum) return field.enum.map(String).join(' · ');
  if (field.anyOf) return field.anyOf.map(fieldType).join(' or ');
  return Array.isArray(field.type) ? field.type.join(' or ') : (field.type ?? 'any');
}

function dataFields(type: EventTypeDefinition): string[] {
  return type.versions.map((contract) => {
    const json = z.toJSONSchema(contract.data, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as {
      properties?: Record<string, JsonField>;
      required?: string[];
    };
    const required = new Set(json.required ?? []);
    const rows = Object.entries(json.properties ?? {}).map(([name, field]) => [
      code(name),
      fieldType(field),
      required.has(name) ? 'yes' : 'no',
      field.description ?? '',
    ]);
    return `#### ${code(cloudEventType(type, contract.version))} data\n\n${table(['field', 'type', 'required', 'meaning'], rows)}`;
  });
}

function measureRows(type: EventTypeDefinition): unknown[][] {
  const stored = type.rollup.measures.map((m: Measure) => [
    code(m.name),
    m.kind === 'state' ? 'state, at period end' : m.kind,
    m.label,
    m.unit,
    m.description,
    m.since ?? 1,
  ]);
  const thresholds = (type.rollup.thresholds ?? []).map((t) => [
    code(t.name),
    `villages with ${code(t.measure)} ≥ ${t.atLeast}`,
    t.label,
    t.unit,
    t.description,
    '',
  ]);
  const derived = type.rollup.derived.map((m) => [code(m.name), `derived: ${code(m.expr)}`, m.label, m.unit, m.description, '']);
  return [...stored, ...thresholds, ...derived];
}

function scenarioPart(type: EventTypeDefinition): string {
  const { activity, settings, targets } = type.scenario;
  const defaults = (shape: z.ZodRawShape) =>
    Object.entries(shape).map(([key, schema]) => {
      const parsed = z.object({ [key]: schema }).safeParse({});
      return [code(key), parsed.success ? code(JSON.stringify(parsed.data[key])) : '(required)', (schema as z.ZodType).description ?? ''];
    });
  const targetRows = targets.map((t) => [
    code(`${type.name}.${t.measure}`),
    t.atMost ? `≤ ${code(t.atMost.measure)}` : '',
    t.filters?.described ?? 'none',
    [
      t.countsVillages ? 'counts villages (0 or 1 each)' : '',
      t.scale ? `steps of 1/${t.scale}` : '',
      t.minimumPerPlace ? `at least ${t.minimumPerPlace} per place` : '',
    ]
      .filter(Boolean)
      .join('; '),
  ]);
  return [
    table(['activity key', 'default', 'meaning'], defaults(activity)),
    ...(Object.keys(settings).length > 0 ? ['', table(['scenario key', 'default', 'meaning'], defaults(settings))] : []),
    '',
    table(['targetable measure', 'bound', 'filters', 'notes'], targetRows),
  ].join('\n');
}

function typeSection(type: EventTypeDefinition): string {
  const { rollup, bulletin } = type;
  return [
    `## ${code(type.name)} — ${type.title.en} (${type.title.zh})`,
    '',
    `Topic ${code(`<prefix>.${type.name}`)} · CloudEvents types ${type.versions.map((v) => code(cloudEventType(type, v.version))).join(', ')} · subject: a ${type.subjectLevels.join(', ')} code · folder ${code(`schemas/src/event-types/${type.name}/`)}`,
    '',
    '### Contract',
    '',
    ...dataFields(type).flatMap((text) => [text, '']),
    `### Raw table ${code(type.rawTable.name)}`,
    '',
    `The common columns (${COMMON_COLUMNS.map((c) => code(c.name)).join(', ')}), then:`,
    '',
    table(
      ['column', 'type', 'meaning', 'since'],
      type.rawTable.columns.map((c) => [code(c.name), code(c.type), c.description, c.since ?? 1]),
    ),
    '',
    `### Rollup ${code(rollup.table)}`,
    '',
    `Dimensions: ${rollup.dimensions.map((d) => `${code(d.name)} (${d.description})`).join(', ') || 'none'}. Every event is counted once by ${rollup.eventsCountedBy.map(code).join(' + ')}.`,
    '',
    table(['measure', 'kind', 'label', 'unit', 'meaning', 'since'], measureRows(type)),
    '',
    '### Scenario',
    '',
    scenarioPart(type),
    '',
    '### Bulletin and demo',
    '',
    `Section ${bulletin.title}: ${bulletin.headline.map(code).join(', ')}. Place tables: ${(bulletin.placeColumns ?? []).map(code).join(', ') || 'none'}. ` +
      `Urban/rural rows: ${(bulletin.areaRows ?? []).map(code).join(', ') || 'none'}. Breakdowns: ${(bulletin.breakdowns ?? []).map((b) => `${b.title} (by ${b.by.join(', ')})`).join(', ') || 'none'}. ` +
      `Demo columns: ${type.demoColumns.map(code).join(', ')}.`,
  ].join('\n');
}

export function renderReference(): string {
  return `${[
    '# Event types',
    '',
    '<!-- Generated from schemas/src/registry.ts by `npm run schemas`; do not edit by hand. -->',
    '',
    'Every type is one folder under `schemas/src/event-types/` listed in `schemas/src/registry.ts`. Measure keys are qualified by type',
    '(`<type>.<measure>`) in scenario targets and bulletin figures. JSON Schemas of the contracts are in `schemas/json/`.',
    '',
    ...EVENT_TYPES.flatMap((type) => [typeSection(type), '']),
  ]
    .join('\n')
    .trimEnd()}\n`;
}

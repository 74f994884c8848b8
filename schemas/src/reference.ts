import { z } from 'zod';
import { COMMON_COLUMNS } from './core/raw-table.ts';
import type { EventTypeDefinition } from './core/event-type.ts';
import type { Measure } from './core/rollup-spec.ts';
import { envelopeAttributes } from './core/envelope.ts';
import { ENVELOPE_SCHEMA_FILE, renderJsonSchemas } from './json-schema.ts';
import { cloudEventType } from './registry.ts';

/*
 * The reference of the event types, generated from the code like the JSON Schemas so that it cannot
 * drift from it: a README.md in each type's folder, and schemas/event-types.md for what they all
 * share (written without naming any type, so that adding one changes only its folder). A test fails
 * when a checked-in copy is stale.
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

const toJson = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });

function dataFields(type: EventTypeDefinition): string[] {
  return type.versions.map((contract) => {
    const json = toJson(contract.data) as {
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
    return `### ${code(cloudEventType(type, contract.version))} data\n\n${table(['field', 'type', 'required', 'meaning'], rows)}`;
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

/** The reference of one type: the README.md of its folder. */
export function renderTypeReference(type: EventTypeDefinition): string {
  const { rollup, bulletin } = type;
  return `${[
    `# ${code(type.name)} — ${type.title.en} (${type.title.zh})`,
    '',
    '<!-- Generated from this folder by `npm run schemas` (schemas/src/reference.ts); do not edit by hand. -->',
    '',
    'What every type shares — the envelope, the common raw columns, how measures and scenario targets are read — is in',
    '[schemas/event-types.md](../../../event-types.md).',
    '',
    `Topic ${code(`<prefix>.${type.name}`)} · CloudEvents types ${type.versions.map((v) => code(cloudEventType(type, v.version))).join(', ')} · subject: a ${type.subjectLevels.join(', ')} code · ` +
      `JSON Schemas ${[...renderJsonSchemas(type).keys()].map((file) => `[${code(file)}](${file})`).join(', ')}`,
    '',
    '## Contract',
    '',
    ...dataFields(type).flatMap((text) => [text, '']),
    `## Raw table ${code(type.rawTable.name)}`,
    '',
    `The common columns (${COMMON_COLUMNS.map((c) => code(c.name)).join(', ')}), then:`,
    '',
    table(
      ['column', 'type', 'meaning', 'since'],
      type.rawTable.columns.map((c) => [code(c.name), code(c.type), c.description, c.since ?? 1]),
    ),
    '',
    `## Rollup ${code(rollup.table)}`,
    '',
    `Dimensions: ${rollup.dimensions.map((d) => `${code(d.name)} (${d.description})`).join(', ') || 'none'}. Every event is counted once by ${rollup.eventsCountedBy.map(code).join(' + ')}.`,
    '',
    table(['measure', 'kind', 'label', 'unit', 'meaning', 'since'], measureRows(type)),
    '',
    '## Scenario',
    '',
    scenarioPart(type),
    '',
    '## Bulletin and demo',
    '',
    `Section ${bulletin.title}: ${bulletin.headline.map(code).join(', ')}. Place tables: ${(bulletin.placeColumns ?? []).map(code).join(', ') || 'none'}. ` +
      `Urban/rural rows: ${(bulletin.areaRows ?? []).map(code).join(', ') || 'none'}. Breakdowns: ${(bulletin.breakdowns ?? []).map((b) => `${b.title} (by ${b.by.join(', ')})`).join(', ') || 'none'}. ` +
      `Demo columns: ${type.demoColumns.map(code).join(', ')}.`,
  ].join('\n')}\n`;
}

/** What each envelope attribute means (a new attribute fails to compile until it is described here). */
const ENVELOPE_ATTRIBUTES: Record<keyof typeof envelopeAttributes.shape, string> = {
  specversion: 'CloudEvents version',
  id: 'unique per event: a redelivered event is recognised by it and loaded once',
  source: 'the producing system',
  type: '`govstats.<type>.v<N>`: the event type and the version of its contract',
  time: 'when it happened, with an offset, from 2000 to 2100; rollups bucket by the day in Asia/Shanghai',
  subject: 'the 12-digit division code of the place it belongs to; the levels a type accepts are in its contract',
  datacontenttype:
    'the media type of `data` if present: JSON (`application/json`, `text/json` or a `+json` type), with parameters such as `charset=utf-8` (UTF-8 only)',
  dataschema: "the contract version's schema id, `urn:govstats:schema:<type>:v<N>`",
  data: "the type's data, as its contract version says",
};

/** The reference of what every type shares (schemas/event-types.md); each type's own is its folder's README.md. */
export function renderReference(): string {
  const json = toJson(envelopeAttributes) as { properties?: Record<string, JsonField>; required?: string[] };
  const required = new Set(json.required ?? []);
  const attributes = Object.entries(ENVELOPE_ATTRIBUTES).map(([name, meaning]) => [
    code(name),
    name === 'data' ? 'object' : fieldType(json.properties?.[name] ?? {}),
    required.has(name) ? 'yes' : 'no',
    meaning,
  ]);
  return `${[
    '# Event types',
    '',
    '<!-- Generated from schemas/src by `npm run schemas` (schemas/src/reference.ts); do not edit by hand. -->',
    '',
    'Every type is one folder under [`schemas/src/event-types/`](src/event-types/), listed in `schemas/src/registry.ts`.',
    '**The reference of a type is the `README.md` of its folder** (`schemas/src/event-types/<type>/README.md`): its contract',
    'versions, raw table, rollup measures, scenario keys and targets, bulletin section. The JSON Schema of each contract version',
    'is next to it (`<type>.v<N>.schema.json`). Both are generated from the folder by `npm run schemas`, like this page, which',
    'holds what all types share.',
    '',
    'Measure keys are qualified by type (`<type>.<measure>`) in scenario targets and bulletin figures, so two types may both',
    "have a `received`. A type's topic is `<prefix>.<type>` and its CloudEvents types are `govstats.<type>.v<N>`.",
    '',
    '## Envelope',
    '',
    `Every event is a CloudEvents 1.0 envelope. JSON Schema: [${code(`json/${ENVELOPE_SCHEMA_FILE}`)}](json/${ENVELOPE_SCHEMA_FILE})`,
    "(a type's schemas narrow `type`, `dataschema` and `data` to one of its contract versions).",
    '',
    'On Kafka, both content modes of the CloudEvents Kafka protocol binding are read: structured (the event as JSON in the',
    'value; `content-type: application/cloudevents+json`, which govstats producers set) and binary (attributes in `ce_<name>`',
    'headers, `content-type` as `datacontenttype`, the value is `data`). A message with neither header is read as structured JSON.',
    '',
    'Extension attributes (any other lower-case name of letters and digits, such as `traceparent` and `tracestate` from',
    "Distributed Tracing) are accepted — strings, 32-bit integers or booleans, at most 32 — and kept in the raw row's",
    '`extensions`; ingest logs name the `traceparent` of an event it refuses. `data_base64` (binary data) is refused: data',
    'must be JSON. Contracts stay strict: a field `data` does not declare is refused.',
    '',
    table(['attribute', 'type', 'required', 'meaning'], attributes),
    '',
    '## Common raw columns',
    '',
    "Every type's raw table starts with these columns; its README lists the columns of its own after them.",
    '',
    table(
      ['column', 'type', 'meaning', 'since'],
      COMMON_COLUMNS.map((c) => [code(c.name), code(c.type), c.description, c.since ?? 1]),
    ),
    '',
    "## Reading a type's measures",
    '',
    "The measure table of a type's README gives each measure's kind:",
    '',
    '- `count`, `sum`, `distinct`, `median` are **flows**: what happened in the period, from the events dated in it. Distinct',
    "  counts and medians are kept as mergeable states, so a month's distinct people are exact, not a sum of days.",
    '- `state, at period end` is a **state**: what is in place on the last day of the period. Each event carries its signed',
    '  change and the rollups keep the net change per day, month and year; the state is the sum of every change up to that day.',
    '  Split by a dimension an entity moves along, a state is empty rather than wrong.',
    '- `villages with <measure> ≥ N` is a **threshold**: how many villages under a place have their own total of the measure',
    '  over the period at or above N, counted from the village rows when asked.',
    '- `derived: <expr>` is computed from the other measures of the same row (rates, shares, means).',
    '',
    '`since` is the per-type migration that added a measure or column (`<type>/000N_…`; a type with a baseline has them from',
    'its first migration). Labels and units may change freely; names, `where` and `expr` are part of the migrations.',
    '',
    '## Scenario keys and targets',
    '',
    "A type's README lists its `activity` keys (under `activity:` in a scenario file: how busy places are where no target",
    'speaks) with their defaults, its top-level scenario keys if it has any, and the measures a scenario may target: the',
    'bound a target may not exceed (`≤ …`), the rollup dimensions it may be filtered by, and notes such as whether it counts',
    'villages. See `services/producer/scenarios/README.md` for the format of scenario files.',
  ].join('\n')}\n`;
}

import { z } from 'zod';
import { ATTRIBUTE_NAME, dataSchemaUri, envelope } from './core/envelope.ts';
import type { EventTypeDefinition } from './core/event-type.ts';
import { cloudEventType } from './registry.ts';

/*
 * JSON Schemas generated from the zod code, so documentation can never drift from what the
 * consumers enforce; `npm run schemas` writes them and a test fails when a checked-in one is stale.
 */

const toJson = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
const file = (document: object) => `${JSON.stringify(document, null, 2)}\n`;
/** Extension attributes' names, which zod's catch-all cannot state: every attribute name matches. */
const attributeNames = { propertyNames: { pattern: ATTRIBUTE_NAME.source } };

/** The file name of the envelope's schema, in schemas/json/ (the one schema that is not a type's). */
export const ENVELOPE_SCHEMA_FILE = 'envelope.schema.json';

/** The CloudEvents envelope every event travels in, whatever its type (`data` is the type's). */
export function renderEnvelopeSchema(): string {
  return file({
    $id: 'urn:govstats:schema:envelope',
    title: 'govstats CloudEvents envelope (any event type; data as its contract says)',
    ...toJson(envelope),
    ...attributeNames,
  });
}

/** The JSON Schema of each contract version of a type, by file name (`<type>.v<N>.schema.json`), for its folder. */
export function renderJsonSchemas(eventType: EventTypeDefinition): Map<string, string> {
  const files = new Map<string, string>();
  for (const contract of eventType.versions) {
    const schema = envelope.extend({
      type: z.literal(cloudEventType(eventType, contract.version)),
      dataschema: z.literal(dataSchemaUri(eventType.name, contract.version)).optional(),
      data: contract.data,
    });
    files.set(
      `${eventType.name}.v${contract.version}.schema.json`,
      file({
        $id: dataSchemaUri(eventType.name, contract.version),
        title: `${eventType.title.en} (${eventType.title.zh}), contract v${contract.version}`,
        ...toJson(schema),
        ...attributeNames,
      }),
    );
  }
  return files;
}

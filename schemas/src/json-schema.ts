import { z } from 'zod';
import { dataSchemaUri, envelope } from './core/envelope.ts';
import { EVENT_TYPES, cloudEventType } from './registry.ts';

/**
 * JSON Schema for every contract version, generated from the zod code so documentation can never
 * drift from what the consumers enforce. Checked in under schemas/json/; a test fails when stale.
 */
export function renderJsonSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const eventType of EVENT_TYPES) {
    for (const contract of eventType.versions) {
      const schema = envelope.extend({
        type: z.literal(cloudEventType(eventType, contract.version)),
        dataschema: z.literal(dataSchemaUri(eventType.name, contract.version)).optional(),
        data: contract.data,
      });
      const json = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
      const document = {
        $id: dataSchemaUri(eventType.name, contract.version),
        title: `${eventType.title.en} (${eventType.title.zh}), contract v${contract.version}`,
        ...json,
      };
      files.set(`${eventType.name}.v${contract.version}.schema.json`, `${JSON.stringify(document, null, 2)}\n`);
    }
  }
  return files;
}

// Writes what is generated from the zod contracts and the registry. Run: npm run schemas
// - into each type's folder (schemas/src/event-types/<type>/): <type>.v<N>.schema.json, the JSON
//   Schema of each contract version, and README.md, the type's reference;
// - schemas/json/envelope.schema.json, the envelope every type shares;
// - schemas/event-types.md, the reference of what every type shares.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES_DIR, SCHEMAS_DIR, eventTypeFolder } from '../src/folders.ts';
import { ENVELOPE_SCHEMA_FILE, renderEnvelopeSchema, renderJsonSchemas } from '../src/json-schema.ts';
import { renderReference, renderTypeReference } from '../src/reference.ts';
import { EVENT_TYPES } from '../src/registry.ts';

const jsonDir = join(SCHEMAS_DIR, 'json');
mkdirSync(jsonDir, { recursive: true });
for (const stale of readdirSync(jsonDir)) rmSync(join(jsonDir, stale));
writeFileSync(join(jsonDir, ENVELOPE_SCHEMA_FILE), renderEnvelopeSchema());
console.log(`wrote the envelope's JSON Schema to ${jsonDir}`);

let schemas = 0;
for (const type of EVENT_TYPES) {
  const folder = eventTypeFolder(type);
  if (!existsSync(join(folder, 'index.ts')))
    throw new Error(`${type.name}: its folder must be ${folder} (named as the type), with its index.ts`);
  for (const stale of readdirSync(folder).filter((name) => name.endsWith('.schema.json'))) rmSync(join(folder, stale));
  for (const [name, content] of renderJsonSchemas(type)) {
    writeFileSync(join(folder, name), content);
    schemas += 1;
  }
  writeFileSync(join(folder, 'README.md'), renderTypeReference(type));
}
console.log(`wrote ${schemas} JSON Schemas and ${EVENT_TYPES.length} README.md into the type folders under ${EVENT_TYPES_DIR}`);

const reference = join(SCHEMAS_DIR, 'event-types.md');
writeFileSync(reference, renderReference());
console.log(`wrote the reference of what every type shares to ${reference}`);

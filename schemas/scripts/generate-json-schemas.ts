// Writes schemas/json/*.schema.json from the zod contracts and schemas/event-types.md from the
// registry. Run: npm run schemas
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJsonSchemas } from '../src/json-schema.ts';
import { renderReference } from '../src/reference.ts';

const outDir = join(import.meta.dirname, '..', 'json');
mkdirSync(outDir, { recursive: true });
for (const stale of readdirSync(outDir)) rmSync(join(outDir, stale));
for (const [name, content] of renderJsonSchemas()) writeFileSync(join(outDir, name), content);
console.log(`wrote ${renderJsonSchemas().size} JSON Schemas to ${outDir}`);
const reference = join(import.meta.dirname, '..', 'event-types.md');
writeFileSync(reference, renderReference());
console.log(`wrote the event type reference to ${reference}`);

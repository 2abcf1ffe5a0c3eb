import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { API_TYPES_FILE, generateApiTypes, servedOpenApiDocument } from './api-types.js';

/** `npm run web:api-types`: regenerate web/src/api/schema.d.ts (and dist/web-openapi.json with --json). */
const root = new URL('../..', import.meta.url).pathname;
const document = await servedOpenApiDocument();
const target = join(root, API_TYPES_FILE);
await mkdir(dirname(target), { recursive: true });
await writeFile(target, await generateApiTypes(document));
if (process.argv.includes('--json')) {
  await mkdir(join(root, 'dist'), { recursive: true });
  await writeFile(join(root, 'dist/openapi.json'), `${JSON.stringify(document, null, 2)}\n`);
}
console.log(`wrote ${API_TYPES_FILE}`);

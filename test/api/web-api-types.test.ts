import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes, servedOpenApiDocument } from '../../scripts/web/api-types.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** The web UI's API types are generated from the served OpenAPI document; a stale copy fails here. */
describe('web UI API types', () => {
  it(`${API_TYPES_FILE} matches the OpenAPI document the satellite serves (regenerate: npm run web:api-types)`, async () => {
    const expected = await generateApiTypes(await servedOpenApiDocument());
    const committed = readFileSync(join(ROOT, API_TYPES_FILE), 'utf8');
    assert.ok(committed === expected, `${API_TYPES_FILE} is stale: run npm run web:api-types and commit the result`);
  });
});

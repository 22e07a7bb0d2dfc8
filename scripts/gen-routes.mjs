// Generates src/generated/routes.json from src/generated/services.json: the lookups routing
// needs (by signing name, X-Amz-Target prefix, endpoint prefix and query API version), and the
// index entries of the services Nimbus implements. A request's routing then reads 28 KB instead
// of parsing the index of all 385 services (100 KB) and building the tables from it, which was
// about a fifth of what Nimbus adds to Node's start-up.
// Run by scripts/gen-models.mjs; `node scripts/gen-routes.mjs` alone rewrites it from services.json.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Services with a folder in src/services: their entries are in routes.json. */
export function implementedServices() {
  return readdirSync(join(root, 'src/services'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'src/services', d.name, 'index.ts')))
    .map((d) => d.name).sort();
}

export function routesOf(index, implemented) {
  const routes = { bySigningName: {}, byTargetPrefix: {}, byEndpointPrefix: {}, byVersion: {}, queryLike: [], entries: {} };
  for (const [id, e] of Object.entries(index)) {
    (routes.bySigningName[e.signingName] ??= []).push(id);
    (routes.byEndpointPrefix[e.endpointPrefix] ??= []).push(id);
    if (e.targetPrefix) routes.byTargetPrefix[e.targetPrefix] = id;
    if (e.protocol === 'query' || e.protocol === 'ec2') {
      (routes.byVersion[e.apiVersion] ??= []).push(id);
      routes.queryLike.push(id);
    }
  }
  // The service that owns a signing name outright comes first among those sharing it.
  for (const [name, ids] of Object.entries(routes.bySigningName)) ids.sort((a, b) => Number(b === name) - Number(a === name));
  for (const id of implemented) if (index[id]) routes.entries[id] = index[id];
  return routes;
}

export function writeRoutes() {
  const generated = join(root, 'src/generated');
  const index = JSON.parse(readFileSync(join(generated, 'services.json'), 'utf8'));
  writeFileSync(join(generated, 'routes.json'), JSON.stringify(routesOf(index, implementedServices())) + '\n');
}

if (process.argv[1] === new URL(import.meta.url).pathname) writeRoutes();

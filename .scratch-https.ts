import { createServer } from 'node:https';
import { writeFileSync } from 'node:fs';
import { generatePkiMaterial } from './licensing/pki/pki-material.js';
import { createSatelliteApp } from './server/create-satellite-app.js';

const dir = process.argv[2] ?? '/tmp';
const pkiMaterial = await generatePkiMaterial({ now: Date.now(), hostNames: ['127.0.0.1', 'localhost'] });
const app = await createSatelliteApp({ pkiMaterial });
app.seed.account('Acme');
app.seed.virtualAccount('Acme', 'Campus');
const { secret } = app.seed.token('Acme', 'Campus');
writeFileSync(`${dir}/root.pem`, pkiMaterial.rootCertificatePem);
writeFileSync(`${dir}/token`, secret);
createServer({ cert: pkiMaterial.tlsCertificatePem, key: pkiMaterial.tlsKeyPem }, app).listen(18944, '127.0.0.1', () => console.log('ready'));

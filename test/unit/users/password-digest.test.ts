import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import {
  digestPassword, generatePassword, parsePasswordDigest, PASSWORD_SCRYPT, verifyPassword,
} from '../../../licensing/users/password-digest.js';
import { csrfTokenFor, digestSecret, generateSecret, sameDigest } from '../../../licensing/users/secret-digest.js';

describe('password digests', () => {
  it('are self-describing scrypt strings with a per-digest random salt', async () => {
    const a = await digestPassword('correct horse battery');
    const b = await digestPassword('correct horse battery');
    assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    assert.notEqual(a, b, 'salts differ, so equal passwords give different digests');
    const parsed = parsePasswordDigest(a);
    assert.ok(parsed);
    assert.deepEqual({ N: parsed.N, r: parsed.r, p: parsed.p }, PASSWORD_SCRYPT);
    assert.equal(parsed.salt.length, 16);
    assert.equal(parsed.hash.length, 32);
    assert.ok(!a.includes('correct horse'));
  });

  it('verify the right password and refuse a wrong one', async () => {
    const digest = await digestPassword('s3cret-pässword');
    assert.equal(await verifyPassword('s3cret-pässword', digest), true);
    assert.equal(await verifyPassword('s3cret-passwörd', digest), false);
    assert.equal(await verifyPassword('', digest), false);
  });

  it('verify digests made with other cost parameters (the cost can rise without a migration)', async () => {
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef');
    const hash = scryptSync('old password', salt, 32, { N: 1024, r: 8, p: 1 });
    const digest = `scrypt$1024$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
    assert.equal(await verifyPassword('old password', digest), true);
  });

  it('refuse malformed or hostile digests instead of throwing or allocating', async () => {
    for (const bad of ['', 'plain', 'scrypt$1$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', `scrypt$${2 ** 30}$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==`,
      'scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', 'bcrypt$16384$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==']) {
      assert.equal(parsePasswordDigest(bad), null, bad);
      assert.equal(await verifyPassword('x', bad), false);
    }
  });

  it('generated passwords are long and random', () => {
    const a = generatePassword();
    assert.equal(a.length, 24);
    assert.notEqual(a, generatePassword());
  });
});

describe('random secrets', () => {
  it('are stored as sha256 hex and compared in constant time', () => {
    const secret = generateSecret();
    assert.ok(secret.length >= 43);
    const digest = digestSecret(secret);
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.equal(sameDigest(digest, digestSecret(secret)), true);
    assert.equal(sameDigest(digest, digestSecret(`${secret}x`)), false);
    assert.equal(sameDigest(digest, 'short'), false);
  });

  it('derive a CSRF token that is neither the session id nor its stored digest', () => {
    const sessionId = generateSecret();
    const csrf = csrfTokenFor(sessionId);
    assert.equal(csrf, csrfTokenFor(sessionId));
    assert.notEqual(csrf, sessionId);
    assert.notEqual(csrf, digestSecret(sessionId));
  });
});

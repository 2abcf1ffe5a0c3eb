import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { contentsOf, describeContents, heldLicenses } from '../../../licensing/accounts/virtual-account-contents.js';
import type { LicenseLine } from '../../../licensing/licenses/license-line.js';
import { lotsOf, planTransfer, transferLines, type LicenseTransfer } from '../../../licensing/licenses/license-transfer.js';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

function line(id: string, quantity: number, extra: Partial<LicenseLine> = {}): LicenseLine {
  return {
    id, virtualAccountId: 'src', tag: 'A', displayName: 'License A', description: 'd', quantity, licenseType: 'PERPETUAL',
    startsAt: NOW - DAY, endsAt: null, substitutionLadder: [], substitutionLevel: null, origin: 'local', createdAt: NOW - DAY,
    ...extra,
  };
}
const moved = (id: string, source: string, quantity: number, extra: Partial<LicenseLine> = {}) =>
  line(id, quantity, { origin: 'transfer', transfer: { transferId: `t-${id}`, sourceLineId: source }, ...extra });

describe('license lots and transfer planning', () => {
  it('groups lines by the line they were drawn from', () => {
    const lots = lotsOf([line('L1', 10), moved('x', 'L1', -4), moved('y', 'L9', 3, { displayName: 'from elsewhere' })]);
    assert.deepEqual(lots.map((l) => [l.sourceLineId, l.quantity, l.terms.id]), [['L1', 6, 'L1'], ['L9', 3, 'y']]);
  });

  it('draws the soonest-ending active lots first, perpetual last, skipping ended and future ones', () => {
    const lines = [
      line('perpetual', 10),
      line('term-late', 5, { licenseType: 'TERM', endsAt: NOW + 100 * DAY }),
      line('term-soon', 2, { licenseType: 'TERM', endsAt: NOW + 10 * DAY }),
      line('ended', 50, { endsAt: NOW - 1 }),
      line('future', 50, { startsAt: NOW + DAY }),
    ];
    assert.deepEqual(planTransfer(lines, 8, NOW).map((d) => [d.lot.sourceLineId, d.quantity]), [['term-soon', 2], ['term-late', 5], ['perpetual', 1]]);
  });

  it('returns less than asked when the lots cannot cover it', () => {
    const draws = planTransfer([line('L1', 3), moved('x', 'L1', -3), line('L2', 2)], 5, NOW);
    assert.deepEqual(draws.map((d) => [d.lot.sourceLineId, d.quantity]), [['L2', 2]]);
  });

  it('materialises a draw as a negative and a positive transfer line carrying the source terms', () => {
    const transfer: LicenseTransfer = {
      id: 'T', accountId: 'acc', tag: 'A', fromVirtualAccountId: 'src', toVirtualAccountId: 'dst', quantity: 2, createdAt: NOW, createdBy: 'me',
    };
    const source = line('L1', 10, { licenseType: 'TERM', endsAt: NOW + DAY, origin: 'upstream' });
    const [draw] = planTransfer([source], 2, NOW);
    assert.ok(draw);
    const pair = transferLines(transfer, draw, { out: 'o', in: 'i' });
    const common = {
      tag: 'A', displayName: 'License A', description: 'd', licenseType: 'TERM', startsAt: NOW - DAY, endsAt: NOW + DAY,
      substitutionLadder: [], substitutionLevel: null, origin: 'transfer', createdAt: NOW,
      transfer: { transferId: 'T', sourceLineId: 'L1' },
    };
    assert.deepEqual(pair, {
      out: { ...common, id: 'o', virtualAccountId: 'src', quantity: -2 },
      in: { ...common, id: 'i', virtualAccountId: 'dst', quantity: 2 },
    });
  });
});

describe('what keeps a virtual account from being deleted', () => {
  it('counts held lots, ignoring ended lines and transfer pairs that cancel out', () => {
    const lines = [
      line('ended', 5, { endsAt: NOW }),
      moved('in', 'L7', 4), moved('back', 'L7', -4),
      line('future', 2, { startsAt: NOW + DAY }),
    ];
    assert.deepEqual(heldLicenses(lines, NOW), [{ tag: 'A', displayName: 'License A', quantity: 2 }]);
    assert.deepEqual(heldLicenses(lines.slice(0, 3), NOW), []);
  });

  it('describes everything still there, and nothing for an empty VA', () => {
    const full = contentsOf({ registeredInstances: 2, activeTokens: 1 }, [line('L1', 3), line('U', 0, { origin: 'upstream' })], NOW);
    assert.deepEqual(describeContents(full), [
      '2 registered product instances', 'licenses (3 x License A)', '1 license line from the upstream', '1 active token',
    ]);
    assert.deepEqual(describeContents(contentsOf({ registeredInstances: 0, activeTokens: 0 }, [], NOW)), []);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import {
  admitNonce, REMEMBERED_NONCES, SAME_INSTANT_NONCES, storedReply, type InstanceReplay,
} from '../../../licensing/device/instance-replay.js';
import { DeviceRequestError } from '../../../licensing/shared/domain-error.js';

function record(state: Pick<InstanceReplay, 'nonces' | 'nonceWatermark'>): InstanceReplay {
  return { instanceId: 'pi', messageId: 'm', requestDigest: 'd', response: 'r', answeredAt: 0, messagesAnswered: 1, ...state };
}

/** Admits nonces n0, n1, … at the given timestamps, in order, threading the record through. */
function admitAll(timestamps: number[]): InstanceReplay | undefined {
  let replay: InstanceReplay | undefined;
  timestamps.forEach((t, i) => { replay = record(admitNonce(replay, `n${i}`, t)); });
  return replay;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DeviceRequestError);
    assert.equal(error.code, 'REPLAY_DETECTED');
    return error.message;
  }
  assert.fail('expected REPLAY_DETECTED');
}

describe('admitNonce: each nonce accepted once per instance, in bounded memory', () => {
  it('keeps the last 8 nonces and refuses any of them again', () => {
    const replay = admitAll([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
    assert.equal(replay?.nonces.length, REMEMBERED_NONCES);
    assert.deepEqual(replay?.nonces.map((n) => n.nonce), ['n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'n11']);
    assert.equal(replay?.nonceWatermark, 40);
    assert.match(refusal(() => admitNonce(replay, 'n11', 130)), /already used/);
  });

  it('refuses a forgotten nonce by its timestamp, so no message is ever accepted twice', () => {
    const replay = admitAll([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    // n0 (timestamp 10) was forgotten; replaying its message is refused by the watermark (20 here).
    assert.match(refusal(() => admitNonce(replay, 'n0', 10)), /not after 20/);
    assert.match(refusal(() => admitNonce(replay, 'fresh-but-old', 20)), /current time/);
    // Accepted; being the oldest, it is the one forgotten, and the watermark moves up to it.
    assert.equal(admitNonce(replay, 'fresh', 21).nonceWatermark, 21);
    assert.ok(admitNonce(replay, 'fresh', 101).nonces.some((n) => n.nonce === 'fresh'));
  });

  it('accepts out-of-order timestamps above the watermark and forgets the oldest timestamps first', () => {
    const replay = admitAll([50, 10, 60, 20, 70, 30, 80, 40, 90]);
    assert.equal(replay?.nonceWatermark, 10);
    assert.deepEqual(replay?.nonces.map((n) => n.timestamp), [20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('never refuses messages that share one timestamp (a fixed test clock), up to the same-instant cap', () => {
    const replay = admitAll(Array.from({ length: 40 }, () => 1000));
    assert.equal(replay?.nonces.length, 40);
    assert.equal(replay?.nonceWatermark, 0);
    // A later timestamp lets the record shrink back to 8; the watermark becomes that instant.
    const later = record(admitNonce(replay, 'later', 1001));
    assert.equal(later.nonces.length, REMEMBERED_NONCES);
    assert.equal(later.nonceWatermark, 1000);
    assert.match(refusal(() => admitNonce(later, 'n3', 1000)), /not after 1000/);
  });

  it('stays bounded when one instant floods past the cap', () => {
    const replay = admitAll(Array.from({ length: SAME_INSTANT_NONCES + 1 }, () => 7));
    assert.equal(replay?.nonces.length, SAME_INSTANT_NONCES);
    assert.equal(replay?.nonceWatermark, 7);
    // The forgotten one and every later message of that instant are refused; a later instant is not.
    assert.match(refusal(() => admitNonce(replay, 'n0', 7)), /not after 7/);
    assert.match(refusal(() => admitNonce(replay, 'another', 7)), /not after 7/);
    assert.equal(admitNonce(replay, 'next', 8).nonces.length, REMEMBERED_NONCES);
  });
});

describe('storedReply', () => {
  const replay = record({ nonces: [], nonceWatermark: 0 });
  it('answers the latest message again, and only when its payload is the same', () => {
    assert.equal(storedReply(replay, 'm', 'd'), 'r');
    assert.equal(storedReply(replay, 'other', 'd'), undefined);
    assert.equal(storedReply(undefined, 'm', 'd'), undefined);
    assert.match(refusal(() => storedReply(replay, 'm', 'different')), /different message/);
  });
});

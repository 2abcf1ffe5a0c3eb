import type { EventType, SatelliteEvent } from '../events/satellite-event.js';

/**
 * Authentication and admin events belong to no account. The actor is the principal's name (or 'cli',
 * 'system'); details never carry a secret.
 */
export function authEvent(occurredAt: number, actorId: string, type: EventType, message: string, details: Record<string, unknown> = {}): SatelliteEvent {
  return { occurredAt, accountId: null, virtualAccountId: null, actorType: 'user', actorId, type, message, details };
}

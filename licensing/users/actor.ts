import { DomainError } from '../shared/domain-error.js';
import type { Principal } from './principal.js';

/**
 * Who asks for a change: a signed-in principal, or a trusted local caller (the CLI runs with access to the
 * data directory and is named `cli:<os user>`, the seeder and first start run inside the process).
 */
export type Actor = Principal | 'cli' | `cli:${string}` | 'seed' | 'system';

export function actorName(actor: Actor): string {
  return typeof actor === 'string' ? actor : actor.name;
}

/**
 * Managing users and API clients hands out roles and scopes, so only an admin without an account scope may
 * do it: a scoped admin could otherwise create an unscoped one.
 */
export function requireUserAdministrator(actor: Actor): void {
  if (typeof actor === 'string') return;
  if (actor.role !== 'admin' || actor.accountScope !== null) {
    throw new DomainError('FORBIDDEN', `managing users and API clients needs an admin without an account scope; ${actor.name} is not one`);
  }
}

import type { Clock } from '../shared/clock.js';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import { accountIdsForNames } from './account-scope.js';
import { actorName, requireUserAdministrator, type Actor } from './actor.js';
import { USERNAME_PATTERN, type AdminUser } from './admin-user.js';
import { authEvent } from './auth-event.js';
import type { AuthPolicy } from './auth-policy.js';
import { checkPasswordWithLockout, lockedError } from './login-attempts.js';
import { digestPassword, generatePassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-digest.js';
import { ROLES, type Role } from './principal.js';

export interface NewUser {
  username: string;
  role: Role;
  /** Account names; omitted or null means every account. */
  accountScope?: readonly string[] | null;
  /** Omitted: a password is generated and returned once. */
  password?: string;
  /** Defaults to true for a generated password, false otherwise. */
  mustChangePassword?: boolean;
}

export interface CreatedUser {
  user: AdminUser;
  /** The generated password, shown once; null when the caller chose it. */
  generatedPassword: string | null;
}

export interface UserChanges {
  role?: Role;
  accountScope?: readonly string[] | null;
  disabled?: boolean;
  mustChangePassword?: boolean;
}

export interface PasswordChange {
  currentPassword?: string;
  newPassword: string;
  /** When someone else sets the password: must the user change it at next sign-in? Default true. */
  mustChangePassword?: boolean;
}

export interface UserServiceDeps {
  uow: UnitOfWork; clock: Clock; newId: IdGenerator; policy: AuthPolicy;
  /** Told after a password change commits (the server removes the initial admin password file then). */
  passwordChanged?: (username: string) => void;
}

export const INITIAL_ADMIN_USERNAME = 'admin';

/** Users of the UI and API (DESIGN §3): roles, account scopes and passwords. */
export class UserService {
  readonly #deps: UserServiceDeps;

  constructor(deps: UserServiceDeps) {
    this.#deps = deps;
  }

  async create(input: NewUser, actor: Actor): Promise<CreatedUser> {
    requireUserAdministrator(actor);
    const username = requireUsername(input.username);
    if (!ROLES.includes(input.role)) throw new ValidationError(`role must be one of ${ROLES.join(', ')}`, { field: 'role' });
    const generatedPassword = input.password === undefined ? generatePassword() : null;
    const password = input.password ?? generatedPassword ?? '';
    requirePasswordShape(password, 'password');
    // scrypt is slow on purpose, so it runs before the write lock is taken.
    const passwordDigest = await digestPassword(password);
    const now = this.#deps.clock.now();
    const user = this.#deps.uow.write((repos) => {
      if (repos.users.findByUsername(username)) throw new ConflictError(`user '${username}' already exists`, { field: 'username' });
      const created: AdminUser = {
        id: this.#deps.newId(), username, role: input.role, accountScope: accountIdsForNames(repos, input.accountScope),
        passwordDigest, mustChangePassword: input.mustChangePassword ?? generatedPassword !== null, disabled: false,
        failedLogins: 0, lockedUntil: null, lastLoginAt: null, passwordChangedAt: now, createdAt: now, updatedAt: now,
      };
      repos.users.insert(created);
      repos.events.append(authEvent(now, actorName(actor), 'USER_CREATED', `User ${username} created with role ${created.role}`, {
        userId: created.id, role: created.role, accountScope: input.accountScope ?? null,
      }));
      return created;
    });
    return { user, generatedPassword };
  }

  /**
   * First start of a server: when no user exists, create `admin` with a random password that the caller
   * prints once. Returns null when any user exists already.
   */
  /**
   * On a satellite with no user: creates `admin` with a one-time password. `deliver` receives the password
   * before the user is committed (the server writes it to a file), so a crash in between leaves a password
   * for nobody, and the next start issues a new one; a password that works is never lost.
   */
  async createInitialAdmin(deliver: (password: string) => void = () => undefined): Promise<{ username: string; password: string } | null> {
    if (this.#deps.uow.read((repos) => repos.users.count()) > 0) return null;
    const password = generatePassword();
    const passwordDigest = await digestPassword(password);
    deliver(password);
    const now = this.#deps.clock.now();
    const created = this.#deps.uow.write((repos) => {
      // Re-checked under the write lock: a CLI `user add` may have raced us.
      if (repos.users.count() > 0) return false;
      repos.users.insert({
        id: this.#deps.newId(), username: INITIAL_ADMIN_USERNAME, role: 'admin', accountScope: null, passwordDigest,
        mustChangePassword: true, disabled: false, failedLogins: 0, lockedUntil: null, lastLoginAt: null,
        passwordChangedAt: now, createdAt: now, updatedAt: now,
      });
      repos.events.append(authEvent(now, 'system', 'USER_CREATED', `Initial user ${INITIAL_ADMIN_USERNAME} created with role admin`, {
        role: 'admin', initial: true,
      }));
      return true;
    });
    return created ? { username: INITIAL_ADMIN_USERNAME, password } : null;
  }

  list(): AdminUser[] {
    return this.#deps.uow.read((repos) => repos.users.list());
  }

  get(username: string): AdminUser {
    const user = this.#deps.uow.read((repos) => repos.users.findByUsername(username));
    if (!user) throw new NotFoundError('user', username);
    return user;
  }

  update(username: string, changes: UserChanges, actor: Actor): AdminUser {
    requireUserAdministrator(actor);
    if (changes.role !== undefined && !ROLES.includes(changes.role)) {
      throw new ValidationError(`role must be one of ${ROLES.join(', ')}`, { field: 'role' });
    }
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const user = requireUser(repos, username);
      const updated: AdminUser = {
        ...user,
        role: changes.role ?? user.role,
        accountScope: changes.accountScope === undefined ? user.accountScope : accountIdsForNames(repos, changes.accountScope),
        disabled: changes.disabled ?? user.disabled,
        mustChangePassword: changes.mustChangePassword ?? user.mustChangePassword,
        updatedAt: now,
      };
      // Re-enabling a user also lifts a lockout: it is how an admin lets a locked user back in early.
      if (changes.disabled === false) Object.assign(updated, { lockedUntil: null, failedLogins: 0 });
      assertAdministratorRemains(repos, updated);
      repos.users.update(updated);
      const endedSessions = updated.disabled ? repos.sessions.deleteByUser(user.id, null) : 0;
      repos.events.append(authEvent(now, actorName(actor), 'USER_UPDATED', `User ${user.username} updated`, {
        userId: user.id, changes: { ...changes }, endedSessions,
      }));
      return updated;
    });
  }

  delete(username: string, actor: Actor): void {
    requireUserAdministrator(actor);
    if (typeof actor !== 'string' && actor.kind === 'user' && actor.name.toLowerCase() === username.toLowerCase()) {
      throw new ConflictError('you cannot delete yourself; ask another admin');
    }
    const now = this.#deps.clock.now();
    this.#deps.uow.write((repos) => {
      const user = requireUser(repos, username);
      assertAdministratorRemains(repos, null, user.id);
      repos.users.delete(user.id);
      repos.events.append(authEvent(now, actorName(actor), 'USER_DELETED', `User ${user.username} deleted`, { userId: user.id }));
    });
  }

  /**
   * A user changes their own password with the current one; an unscoped admin (or the CLI) sets anyone
   * else's without it, and the user must then change it at next sign-in. Every other session of the user
   * ends; `keepSessionDigest` keeps the caller's own.
   */
  async changePassword(username: string, change: PasswordChange, actor: Actor, keepSessionDigest: string | null = null): Promise<AdminUser> {
    requirePasswordShape(change.newPassword, 'newPassword');
    const target = this.get(username);
    const self = typeof actor !== 'string' && actor.kind === 'user' && actor.id === target.id;
    if (!self) requireUserAdministrator(actor);
    const now = this.#deps.clock.now();
    if (self) {
      if (change.currentPassword === undefined) {
        throw new ValidationError('currentPassword is required to change your own password', { field: 'currentPassword' });
      }
      const check = await checkPasswordWithLockout(this.#deps, target.id, change.currentPassword, { during: 'password change' }, () => null);
      if (check.kind === 'gone') throw new NotFoundError('user', username);
      if (check.kind === 'locked') throw lockedError(check.user, this.#deps.clock.now());
      if (check.kind === 'wrong') throw new DomainError('FORBIDDEN', 'the current password is wrong', { field: 'currentPassword' });
    }
    const passwordDigest = await digestPassword(change.newPassword);
    const changed = this.#deps.uow.write((repos) => {
      const user = requireUser(repos, target.username);
      const updated: AdminUser = {
        ...user, passwordDigest, mustChangePassword: !self && (change.mustChangePassword ?? true), passwordChangedAt: now, updatedAt: now,
      };
      // A password set by an admin is also how a locked-out user gets back in early.
      if (!self) Object.assign(updated, { failedLogins: 0, lockedUntil: null });
      repos.users.update(updated);
      const endedSessions = repos.sessions.deleteByUser(user.id, self ? keepSessionDigest : null);
      repos.events.append(authEvent(now, actorName(actor), 'USER_PASSWORD_CHANGED',
        self ? `User ${user.username} changed their password` : `Password of ${user.username} set by ${actorName(actor)}`,
        { userId: user.id, endedSessions }));
      return updated;
    });
    this.#deps.passwordChanged?.(changed.username);
    return changed;
  }
}

function requireUser(repos: Repositories, username: string): AdminUser {
  const user = repos.users.findByUsername(username);
  if (!user) throw new NotFoundError('user', username);
  return user;
}

function requireUsername(raw: string): string {
  const username = raw.trim();
  if (!USERNAME_PATTERN.test(username)) {
    throw new ValidationError('username must be 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit', { field: 'username' });
  }
  return username;
}

function requirePasswordShape(password: string, field: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError(`${field} must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`, { field });
  }
}

/**
 * Someone must still be able to manage users: an enabled admin without an account scope. Only a change that
 * removes the last one is refused; a database that never had one (seeded for tests) is left alone.
 */
function assertAdministratorRemains(repos: Repositories, changed: AdminUser | null, removedId: string | null = null): void {
  const manages = (u: AdminUser) => u.role === 'admin' && u.accountScope === null && !u.disabled;
  const before = repos.users.list();
  const after = before.filter((u) => u.id !== removedId).map((u) => (changed && u.id === changed.id ? changed : u));
  if (before.some(manages) && !after.some(manages)) {
    throw new ConflictError('this would leave no enabled admin without an account scope; promote another user first');
  }
}

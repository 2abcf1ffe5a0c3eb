import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Role = 'admin' | 'operator' | 'viewer';

/** Who is signed in, as GET /backend/api/v1/session tells it. */
export interface SignedIn {
  username: string;
  role: Role;
  mustChangePassword: boolean;
  /** Account names the user may see; null means every account. */
  accountScope: string[] | null;
}

export interface SessionValue {
  user: SignedIn;
  signOut(): Promise<void>;
  passwordChanged(): void;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in view');
  return value;
}

/** Operators and admins change things; viewers see no write control at all (DESIGN §10). */
export function canWrite(role: Role): boolean {
  return role === 'admin' || role === 'operator';
}

export function isAdmin(role: Role): boolean {
  return role === 'admin';
}

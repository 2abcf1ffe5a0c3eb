import type { ComponentChildren } from 'preact';
import { Link, type Location } from '../router';
import { isAdmin, useSession, type Role } from '../session';

interface NavItem { name: string; path: string; adminOnly?: boolean }

/** The eleven pages of DESIGN §10, in its order; their names are the links' and the pages' h1s. */
export const PAGES: readonly NavItem[] = [
  { name: 'Dashboard', path: '/dashboard' },
  { name: 'Licenses', path: '/licenses' },
  { name: 'Product Instances', path: '/product-instances' },
  { name: 'Tokens', path: '/tokens' },
  { name: 'Reservations', path: '/reservations' },
  { name: 'Event Log', path: '/event-log' },
  { name: 'Alerts', path: '/alerts' },
  { name: 'Synchronization', path: '/synchronization' },
  { name: 'Accounts', path: '/accounts' },
  { name: 'Users', path: '/users', adminOnly: true },
  { name: 'Settings', path: '/settings', adminOnly: true },
];

export function visiblePages(role: Role): NavItem[] {
  return PAGES.filter((page) => !page.adminOnly || isAdmin(role));
}

export function Layout(props: { location: Location; children: ComponentChildren }) {
  const { user, signOut } = useSession();
  // The account (and VA) chosen on one page follow the user to the next.
  const account = props.location.query.get('account');
  const va = props.location.query.get('va');
  const carry = new URLSearchParams();
  if (account) carry.set('account', account);
  if (va) carry.set('va', va);
  const suffix = carry.toString() ? `?${carry.toString()}` : '';
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">License Satellite</span>
        <span class="who">{user.username} ({user.role})</span>
        <button type="button" class="secondary" onClick={() => void signOut()}>Sign out</button>
      </header>
      <nav aria-label="Main" class="side">
        <ul>
          {visiblePages(user.role).map((page) => {
            const active = props.location.path === page.path || props.location.path.startsWith(`${page.path}/`);
            return (
              <li key={page.path}>
                <Link href={page.path + suffix} aria-current={active ? 'page' : undefined}>{page.name}</Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <main class="content">{props.children}</main>
    </div>
  );
}

import type { JSX } from 'preact';
import { AccountsPage } from './pages/accounts-page';
import { AlertsPage } from './pages/alerts-page';
import { DashboardPage } from './pages/dashboard-page';
import { EventLogPage } from './pages/event-log-page';
import { InstanceDetailPage } from './pages/instance-detail-page';
import { LicenseDetailPage } from './pages/license-detail-page';
import { LicensesPage } from './pages/licenses-page';
import { NotFoundPage } from './pages/not-found-page';
import { ProductInstancesPage } from './pages/product-instances-page';
import { ReservationsPage } from './pages/reservations-page';
import { SettingsPage } from './pages/settings-page';
import { SynchronizationPage } from './pages/synchronization-page';
import { TokensPage } from './pages/tokens-page';
import { UsersPage } from './pages/users-page';

/** Path → page. Detail ids are path segments; everything else lives in the query string. */
export function routeFor(path: string): JSX.Element {
  const [, first = '', second] = path.split('/').map((part) => safeDecode(part));
  switch (first) {
    case 'dashboard': return <DashboardPage />;
    case 'licenses': return second ? <LicenseDetailPage tag={second} /> : <LicensesPage />;
    case 'product-instances': return second ? <InstanceDetailPage id={second} /> : <ProductInstancesPage />;
    case 'tokens': return <TokensPage />;
    case 'reservations': return <ReservationsPage />;
    case 'event-log': return <EventLogPage />;
    case 'alerts': return <AlertsPage />;
    case 'synchronization': return <SynchronizationPage />;
    case 'accounts': return <AccountsPage />;
    case 'users': return <UsersPage />;
    case 'settings': return <SettingsPage />;
    default: return <NotFoundPage />;
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

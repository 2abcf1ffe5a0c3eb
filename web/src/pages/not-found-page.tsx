import { Link } from '../router';

export function NotFoundPage() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is no page at this address. <Link href="/dashboard">Go to the Dashboard</Link>.</p>
    </section>
  );
}

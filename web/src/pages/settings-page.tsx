import { isAdmin, useSession } from '../session';

/**
 * Settings (DESIGN §10, §11): hostnames and the TLS certificate, and backups. Their API comes with the
 * operations work; until a satellite serves it, this page says how the same is done from the host.
 */
export function SettingsPage() {
  const { user } = useSession();
  if (!isAdmin(user.role)) return <section><h1>Settings</h1><p>Only admins change settings.</p></section>;
  return (
    <section>
      <h1>Settings</h1>
      <h2>Hostnames and TLS certificate</h2>
      <p>
        The satellite's TLS certificate names the hosts in <code>SATELLITE_HOSTNAMES</code>; it is reissued under the same
        root CA when they change, so devices keep trusting the satellite. Give devices the root CA from
        <code> &lt;data directory&gt;/pki/root.pem</code>.
      </p>
      <h2>Backup</h2>
      <p>
        Online backups of the database and the PKI, and reissuing the TLS certificate from this page, need a satellite
        version that serves them through its admin API; this one does not yet.
      </p>
    </section>
  );
}

import { useState } from 'preact/hooks';
import { api, call, errorMessage, raw } from '../api/client';
import { saveBlob } from '../components/copy-field';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { isAdmin, useSession } from '../session';

/** The archive's name as the satellite gives it (Content-Disposition), else a dated one. */
function attachmentName(response: Response): string {
  const named = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
  return named ?? `satellite-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.zip`;
}

/**
 * Settings (DESIGN §10, §11): backups, and hostnames and the TLS certificate. The certificate the HTTPS port
 * serves is read from GET /settings/tls; reissuing it is a host-side step (docs/operations.md: the listener
 * holds the key until the next start), so the page says how.
 */
export function SettingsPage() {
  const { user } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  if (!isAdmin(user.role)) return <section><h1>Settings</h1><p>Only admins change settings.</p></section>;
  const download = async () => {
    setBusy(true); setError(null); setSaved(null);
    try {
      // A zip stream, which the typed client cannot describe: raw() keeps the CSRF header and the error mapping.
      const response = await raw('POST', '/backend/api/v1/backups');
      const name = attachmentName(response);
      const blob = await response.blob();
      saveBlob(name, blob);
      setSaved(`Saved ${name} (${Math.round(blob.size / 1024)} KB).`);
    } catch (failure) {
      setError(errorMessage(failure));
    }
    setBusy(false);
  };
  return (
    <section>
      <h1>Settings</h1>
      <h2>Backup</h2>
      <p>
        One zip with a consistent snapshot of the database (taken online), the PKI with its private keys and a manifest.
        Keep it somewhere safe; check it with <code>satellite backup verify FILE</code> and restore it with
        <code> satellite backup restore FILE</code> on a stopped satellite.
      </p>
      <div class="panel">
        <button type="button" disabled={busy} onClick={() => void download()}>Download backup</button>
        {saved && <p role="status">{saved}</p>}
        <ErrorAlert message={error} />
      </div>
      <h2>Hostnames and TLS certificate</h2>
      <TlsCertificate />
      <p>
        The TLS certificate names the hosts in <code>SATELLITE_HOSTNAMES</code>, and the satellite reissues it under the same
        root CA at the next start when they change, so devices keep trusting the root. To reissue it now, run
        <code> satellite pki tls-reissue --hostnames a,b</code> on the satellite host and restart <code>satellite serve</code>.
      </p>
      <p>
        Give devices the root CA from <code>&lt;data directory&gt;/pki/root.pem</code>. Reserved devices verify authorization
        codes with the <a href="/pki/chain.pem" download="chain.pem">signing chain</a> (the signing certificate, then the root).
      </p>
    </section>
  );
}

/** The certificate the HTTPS port presents now (GET /settings/tls). */
function TlsCertificate() {
  const tls = useLoad(async () => (await call(api.GET('/backend/api/v1/settings/tls'))).tls, []);
  if (tls.error) return <ErrorAlert message={tls.error} />;
  if (tls.loading) return <p>Loading…</p>;
  if (!tls.data) return <p>This satellite is embedded in another program and serves no TLS certificate itself.</p>;
  const cert = tls.data;
  return (
    <dl class="panel">
      <dt>Host names</dt><dd>{cert.hostNames.join(', ')}</dd>
      <dt>Issued by</dt><dd>{cert.installedByAdmin ? `${cert.issuer} (installed by an admin)` : cert.issuer}</dd>
      <dt>Valid</dt><dd>{`${cert.notBefore.slice(0, 10)} to ${cert.notAfter.slice(0, 10)}`}</dd>
      <dt>SHA-256 fingerprint</dt><dd><code>{cert.sha256Fingerprint}</code></dd>
    </dl>
  );
}

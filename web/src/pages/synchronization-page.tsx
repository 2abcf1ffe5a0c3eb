import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { api, ApiError, call, errorMessage, raw } from '../api/client';
import { saveBlob } from '../components/copy-field';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { formatTime } from '../format';
import { canWrite, useSession } from '../session';

const AGE: Record<string, string> = { never: 'Never synchronized', ok: 'Up to date', warning: 'Overdue (over 30 days)', critical: 'Critically overdue (over 60 days)' };

interface ImportOutcome { status: string; sequence: number; message?: string; summary?: { linesAdded: number; linesUpdated: number; linesEnded: number; virtualAccountsCreated: number; notices: number } }

/**
 * Synchronization (DESIGN §5, §10): status and schedule, Sync now (connected mode), and the disconnected
 * round trip: download the signed request file, carry it to the upstream, upload its response file.
 */
export function SynchronizationPage() {
  const { user } = useSession();
  const status = useLoad(() => call(api.GET('/backend/api/v1/sync/status')), []);
  const history = useLoad(async () => (await call(api.GET('/backend/api/v1/sync/imports', { params: { query: { limit: 20 } } }))).imports, []);
  const [syncResult, setSyncResult] = useState<string | null>(null);
  const [syncError, setSyncError] = useState<string | null>(null);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [imported, setImported] = useState<ImportOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  const s = status.data;
  const writer = canWrite(user.role);
  const refresh = () => { status.reload(); history.reload(); };
  return (
    <section>
      <h1>Synchronization</h1>
      <ErrorAlert message={status.error} />
      <h2>Status</h2>
      {s && (s.registered ? (
        <dl class="facts">
          <dt>Mode</dt><dd>{s.mode === 'connected' ? 'Connected (network sync on a schedule)' : 'Disconnected (files carried by hand)'}</dd>
          <dt>Upstream</dt><dd>{s.upstreamId}{s.upstreamUrl ? ` at ${s.upstreamUrl}` : ''}</dd>
          <dt>Last synchronized</dt><dd>{formatTime(s.lastSuccessAt)} ({AGE[s.syncAge ?? 'never'] ?? s.syncAge}{s.daysSinceLastSync !== null ? `, ${s.daysSinceLastSync} days ago` : ''})</dd>
          <dt>Last attempt</dt><dd>{formatTime(s.lastAttemptAt)}{s.consecutiveFailures > 0 ? `, ${s.consecutiveFailures} failures in a row` : ''}</dd>
          {s.lastError && <><dt>Last error</dt><dd>{s.lastError.failureClass ? `${s.lastError.failureClass}: ` : ''}{s.lastError.message}</dd></>}
          <dt>Upstream credential</dt><dd>expires {formatTime(s.credentialExpiresAt)} ({s.credentialDaysLeft} days left)</dd>
        </dl>
      ) : <p>This satellite is not registered with an upstream yet. Register it with <code>satellite sync register &lt;file&gt;</code>.</p>)}
      {s?.registered && <h2>Schedule</h2>}
      {s?.registered && <p>{s.mode === 'connected'
        ? `Next scheduled synchronization: ${formatTime(s.nextRunAt)} (set by SATELLITE_SYNC_SCHEDULE).`
        : 'Disconnected: synchronize by exchanging files at least every 30 days.'}</p>}
      {writer && (
        <>
          <h2>Synchronize</h2>
          <div class="panel">
            <button type="button" disabled={busy} onClick={async () => {
              setBusy(true); setSyncError(null); setSyncResult(null);
              try {
                const result = await call(api.POST('/backend/api/v1/sync/run'));
                if (result.ok) setSyncResult(`Synchronized: response ${result.sequence ?? ''} ${result.status === 'ALREADY_IMPORTED' ? 'was already imported' : 'imported'}.`);
                else setSyncError(`${result.failureClass ?? 'Failed'}: ${result.message ?? 'the sync did not complete'}`);
              } catch (failure) {
                setSyncError(errorMessage(failure));
              }
              setBusy(false);
              refresh();
            }}>Sync now</button>
            <ErrorAlert message={syncError} />
            {syncResult && <p role="status">{syncResult}</p>}
          </div>
          <div class="panel">
            <button type="button" onClick={async () => {
              setDownloadError(null);
              try {
                const response = await raw('GET', '/backend/api/v1/sync/export');
                saveBlob('satellite-request.zip', await response.blob());
              } catch (failure) {
                setDownloadError(errorMessage(failure));
              }
            }}>Download request file</button>
            <ErrorAlert message={downloadError} />
          </div>
          <form class="panel" aria-label="Import a response file" onSubmit={(e) => e.preventDefault()}>
            <Field label="Upload response file"><input type="file" accept=".zip,application/zip" onChange={async (e) => {
                const file = e.currentTarget.files?.[0];
                e.currentTarget.value = '';
                if (!file) return;
                setUploadError(null); setImported(null);
                try {
                  const response = await raw('POST', '/backend/api/v1/sync/import', { body: file, contentType: 'application/zip' });
                  setImported((await response.json()) as ImportOutcome);
                } catch (failure) {
                  const reason = failure instanceof ApiError && typeof failure.details.reason === 'string' ? ` (${failure.details.reason})` : '';
                  setUploadError(`The response file was refused: ${errorMessage(failure)}${reason}`);
                }
                refresh();
              }} /></Field>
            <ErrorAlert message={uploadError} />
            {imported && <p role="status">{importText(imported)}</p>}
          </form>
        </>
      )}
      <h2>Import history</h2>
      <ErrorAlert message={history.error} />
      <table>
        <caption>Response files imported, newest first</caption>
        <thead><tr><th scope="col">Imported</th><th scope="col">Sequence</th><th scope="col">Result</th><th scope="col">Lines added</th><th scope="col">Lines updated</th><th scope="col">Lines ended</th><th scope="col">By</th></tr></thead>
        <tbody>
          {(history.data ?? []).map((h, i) => (
            <tr key={h.bundleId ?? `refused-${i}`}>
              <td>{formatTime(h.importedAt)}</td><td class="num">{h.sequence ?? '-'}</td>
              {h.result === 'REFUSED' ? (
                <><td>REFUSED ({h.reason})</td><td colSpan={3}>{h.message}</td></>
              ) : (
                <><td>{h.result}</td><td class="num">{h.linesAdded}</td><td class="num">{h.linesUpdated}</td><td class="num">{h.linesEnded}</td></>
              )}
              <td>{h.actorId}</td>
            </tr>
          ))}
          {history.data?.length === 0 && <tr><td colSpan={7}>Nothing imported yet.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}

function importText(outcome: ImportOutcome): string {
  if (outcome.status === 'ALREADY_IMPORTED') return `Response ${outcome.sequence} was already imported; nothing changed.`;
  const s = outcome.summary;
  return s
    ? `Imported response ${outcome.sequence}: ${s.linesAdded} license lines added, ${s.linesUpdated} updated, ${s.linesEnded} ended, ${s.virtualAccountsCreated} virtual accounts created.`
    : `Imported response ${outcome.sequence}.`;
}

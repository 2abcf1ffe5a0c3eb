import { createHash, createPublicKey } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { z } from 'zod';
import { formatZodIssues } from '../../protocol/signed-envelope.js';
import { RESPONSE_ENTRY_KINDS } from '../../protocol/sync-entries.js';
import type { SyncManifest } from '../../protocol/sync-manifest.js';
import type { AlertService } from '../../licensing/alerts/alert-service.js';
import type { Clock } from '../../licensing/shared/clock.js';
import { ValidationError } from '../../licensing/shared/domain-error.js';
import type { IdGenerator } from '../../licensing/shared/id-generator.js';
import type { UnitOfWork } from '../../licensing/shared/unit-of-work.js';
import { applyUpstreamResponse, ResponseApplyError } from '../../licensing/sync-import/upstream-response-applier.js';
import { recordImportRefusal } from '../../licensing/sync-import/import-refusal.js';
import type { ImportHistoryEntry, ImportRecord, UpstreamResponse } from '../../licensing/sync-import/upstream-snapshot.js';
import { checkBundleAddress, type BundleAddressReason } from '../bundle/bundle-address.js';
import type { BundleCaps } from '../bundle/bundle-caps.js';
import { openBundle, type OpenedBundle } from '../bundle/bundle-reader.js';
import { BundleRejectedError } from '../bundle/bundle-rejected-error.js';
import { createManifestVerifier } from '../bundle/manifest-signer.js';

/** Records held in memory for one import; the snapshot must be whole before the one transaction starts. */
export const MAX_IMPORT_RECORDS = 500_000;

export interface ResponseImporterDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: IdGenerator;
  alerts: Pick<AlertService, 'poolsChanged' | 'raiseExternalIn'>;
  caps?: Partial<BundleCaps>;
}

export type ImportResult =
  | { status: 'IMPORTED'; bundleId: string; sequence: number; summary: ImportRecord }
  | { status: 'ALREADY_IMPORTED'; bundleId: string; sequence: number; message: string };

/** An addressing refusal (docs/sync-format.md, import order step 3); a 400 whose details.reason is the code. */
export class ImportRefusedError extends ValidationError {
  readonly reason: Exclude<BundleAddressReason, 'ALREADY_IMPORTED'> | 'NOT_REGISTERED';
  constructor(reason: ImportRefusedError['reason'], message: string) {
    super(message, { reason });
    this.name = 'ImportRefusedError';
    this.reason = reason;
  }
}

/** The stable reason code of any import refusal, for the CLI, the API and the history. */
export function importRefusalReason(error: unknown): string | null {
  if (error instanceof BundleRejectedError || error instanceof ImportRefusedError) return error.reason;
  if (error instanceof ResponseApplyError) {
    const reason = error.details?.['reason'];
    return typeof reason === 'string' ? reason : null;
  }
  return null;
}

/**
 * The one import path for response bundles, used by the CLI, the admin API and connected sync alike
 * (DESIGN §5.1, §5.3). Order: signature against the pinned upstream key before any data entry is read
 * (openBundle), every entry's size, sha256 and records (verifyAll), the address and sequence, every record
 * against its schema, and only then one synchronous transaction; any failure leaves the database untouched.
 */
export class ResponseImporter {
  readonly #deps: ResponseImporterDeps;

  constructor(deps: ResponseImporterDeps) {
    this.#deps = deps;
  }

  /** The import history, newest first, refusals included. */
  history(limit = 100): ImportHistoryEntry[] {
    return this.#deps.uow.read((repos) => repos.upstreamSync.listImports(limit));
  }

  /**
   * Imports one response bundle. A refusal (any error with a reason code) is recorded after everything it would
   * have changed was rolled back: one REFUSED history row and one event, with the reason, the file's SHA-256 and
   * the actor (licensing/sync-import/import-refusal.ts); then it is thrown as before.
   */
  async importFile(file: string, actorId = 'system'): Promise<ImportResult> {
    const fileSha256 = await sha256OfFile(file);
    const seen: { manifest?: SyncManifest } = {};
    try {
      return await this.#importFile(file, actorId, fileSha256, seen);
    } catch (error) {
      const reason = importRefusalReason(error);
      if (reason !== null) {
        this.#deps.uow.write((repos) => recordImportRefusal(repos, {
          result: 'REFUSED', bundleId: seen.manifest?.bundle_id ?? null, sequence: seen.manifest?.sequence ?? null, importedAt: this.#deps.clock.now(),
          actorId, reason, message: error instanceof Error ? error.message : String(error), fileSha256,
        }));
      }
      throw error;
    }
  }

  /** `seen.manifest` is set once the manifest verified against the pinned key: only then are its id and sequence worth recording. */
  async #importFile(file: string, actorId: string, fileSha256: string, seen: { manifest?: SyncManifest }): Promise<ImportResult> {
    const { binding, state } = this.#deps.uow.read((repos) => ({
      binding: repos.satelliteBinding.findBinding(), state: repos.satelliteBinding.findSyncState(),
    }));
    if (!binding) throw new ImportRefusedError('NOT_REGISTERED', 'this satellite is not registered with an upstream; import a registration file first');
    const verifier = createManifestVerifier(createPublicKey(binding.upstreamPublicKeyPem));
    const bundle = await openBundle(file, { verifySignature: verifier, ...(this.#deps.caps ? { caps: this.#deps.caps } : {}) });
    seen.manifest = bundle.manifest;
    await bundle.verifyAll();
    const expected = {
      kind: 'response' as const, satelliteId: binding.satelliteId, upstreamId: binding.upstreamId,
      lastAcceptedSequence: state.upstreamSequence === 0 ? null : state.upstreamSequence, lastBundleId: state.lastUpstreamBundleId,
    };
    const address = checkBundleAddress(bundle.manifest, { ...expected, now: this.#deps.clock.now() });
    if (!address.ok) {
      if (address.reason === 'ALREADY_IMPORTED') return alreadyImported(bundle.manifest, address.message);
      throw new ImportRefusedError(address.reason, address.message);
    }
    const response = await readResponse(bundle);

    return this.#deps.uow.write((repos) => {
      const now = this.#deps.clock.now();
      // Another import may have committed while the records were read; the check is repeated under the lock.
      const current = repos.satelliteBinding.findSyncState();
      const again = checkBundleAddress(bundle.manifest, {
        ...expected, now, lastAcceptedSequence: current.upstreamSequence === 0 ? null : current.upstreamSequence,
        lastBundleId: current.lastUpstreamBundleId,
      });
      if (!again.ok) {
        if (again.reason === 'ALREADY_IMPORTED') return alreadyImported(bundle.manifest, again.message);
        throw new ImportRefusedError(again.reason, again.message);
      }
      const summary = applyUpstreamResponse(repos, response, { now, newId: this.#deps.newId, actorId, fileSha256, alerts: this.#deps.alerts });
      return { status: 'IMPORTED' as const, bundleId: response.bundleId, sequence: response.sequence, summary };
    });
  }
}

/** Streamed, so a large file is never held in memory; the history names the exact file that was refused or imported. */
async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function alreadyImported(manifest: SyncManifest, message: string): ImportResult {
  return { status: 'ALREADY_IMPORTED', bundleId: manifest.bundle_id, sequence: manifest.sequence, message };
}

/** Reads every record of the known entry kinds through its schema; entries of kinds this version does not know are skipped. */
async function readResponse(bundle: OpenedBundle): Promise<UpstreamResponse> {
  const m = bundle.manifest;
  const response: UpstreamResponse = {
    bundleId: m.bundle_id, sequence: m.sequence, inReplyToSequence: m.in_reply_to?.sequence ?? null, upstreamId: m.upstream_id,
    lines: [], catalog: [], acknowledgements: [], notices: [],
  };
  let total = 0;
  for (const entry of m.entries) {
    const kind = entry.kind;
    if (!isResponseKind(kind)) continue;
    let line = 0;
    for await (const record of bundle.readEntry(entry.name)) {
      line += 1;
      total += 1;
      if (total > MAX_IMPORT_RECORDS) throw new BundleRejectedError('TOO_LARGE', `the bundle holds more than ${MAX_IMPORT_RECORDS} records`);
      addRecord(response, kind, (schema) => parseRecord(schema, record, entry.name, line));
    }
  }
  return response;
}

type ResponseKind = keyof typeof RESPONSE_ENTRY_KINDS;
const isResponseKind = (kind: string): kind is ResponseKind => Object.hasOwn(RESPONSE_ENTRY_KINDS, kind);

function parseRecord<S extends z.ZodType>(schema: S, record: unknown, entry: string, line: number): z.infer<S> {
  const parsed = schema.safeParse(record);
  if (!parsed.success) throw new BundleRejectedError('BAD_RECORD', `${entry} line ${line} is invalid: ${formatZodIssues(parsed.error)}`);
  return parsed.data;
}

/** `parse` validates the record against the schema of its entry kind, naming the entry and line on failure. */
function addRecord(response: UpstreamResponse, kind: ResponseKind, parse: <S extends z.ZodType>(schema: S) => z.infer<S>): void {
  switch (kind) {
    case 'license-lines': {
      const r = parse(RESPONSE_ENTRY_KINDS['license-lines']);
      response.lines.push({
        upstreamLineId: r.upstream_line_id, account: r.account, virtualAccount: r.virtual_account, tag: r.tag, displayName: r.display_name,
        description: r.description, quantity: r.quantity, licenseType: r.license_type, startsAt: r.starts_at, endsAt: r.ends_at, revision: r.revision,
        substitutionLadder: r.substitution_ladder ?? null,
      });
      return;
    }
    case 'catalog': {
      const r = parse(RESPONSE_ENTRY_KINDS.catalog);
      response.catalog.push({
        tag: r.tag, displayName: r.display_name, description: r.description, substitutionLadder: r.substitution_ladder,
        ...(r.substitution_level !== undefined ? { substitutionLevel: r.substitution_level } : {}),
      });
      return;
    }
    case 'acknowledgement': {
      const r = parse(RESPONSE_ENTRY_KINDS.acknowledgement);
      response.acknowledgements.push({
        acknowledgedSequence: r.acknowledged_sequence, acknowledgedBundleId: r.acknowledged_bundle_id, credentialExpiresAt: r.credential_expires_at,
        ...(r.instances_sequence !== undefined ? { instancesSequence: r.instances_sequence } : {}),
      });
      return;
    }
    case 'notices': {
      const r = parse(RESPONSE_ENTRY_KINDS.notices);
      response.notices.push({ severity: r.severity, message: r.message });
    }
  }
}

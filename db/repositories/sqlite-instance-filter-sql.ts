import type { InstanceFilter, InstanceKey, InstanceSort } from '../../licensing/instances/instance-inventory-repository.js';

/**
 * The SQL of the inventory's filters (SqliteInstanceInventoryRepository): the WHERE terms of each filter shape,
 * the selective terms' probes and count drivers, the sort order and keyset terms, and their parameters.
 */
/** The largest code point: every string that starts with p sorts below p || this. */
const PREFIX_END = String.fromCodePoint(0x10ffff);
/** LIKE is case-insensitive for ASCII in SQLite; % and _ typed by a user are literal characters here. */
const contains = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const prefixRange = (column: string): string => `(${column} COLLATE NOCASE >= @prefix AND ${column} COLLATE NOCASE < @prefixEnd)`;
/**
 * The instances a prefix matches, one indexed range per column. SQLite's planner does not turn the OR of these
 * ranges into index lookups by itself (without statistics it prefers a scan), so they are spelled out.
 */
const PREFIX_BRANCHES = [
  `SELECT rowid FROM product_instances INDEXED BY product_instances_by_hostname WHERE ${prefixRange('hostname')}`,
  `SELECT rowid FROM product_instances INDEXED BY product_instances_by_serial WHERE ${prefixRange('udi_serial_number')}`,
  `SELECT rowid FROM product_instances INDEXED BY product_instances_by_pid WHERE ${prefixRange('udi_pid')}`,
  'SELECT rowid FROM product_instances WHERE id >= @idPrefix AND id < @idPrefixEnd',
];
/** Ids are lowercase: every search matches them by prefix, one indexed range (the last prefix branch). */
const ID_PREFIX_TERM = '(pi.id >= @idPrefix AND pi.id < @idPrefixEnd)';

/** Trigram phrases need 3 characters; a shorter substring cannot use the index and walks the list. */
const TRIGRAM_MIN = 3;
/** The id column is not in the trigram index, so a contains search adds the id-prefix branch. */
const CONTAINS_BRANCHES = ['SELECT rowid FROM product_instance_search WHERE product_instance_search MATCH @phrase', PREFIX_BRANCHES.at(-1) ?? ''];
/** An FTS5 string: inside double quotes every character is literal but the quote, which is doubled. */
const ftsPhrase = (text: string): string => `"${text.replace(/"/g, '""')}"`;
const usesTrigrams = (f: InstanceFilter): boolean => f.search !== undefined && f.searchMatch !== 'prefix' && [...f.search].length >= TRIGRAM_MIN;
/**
 * The PIDs a product type can match, from product_kinds (every tag/PID pair the inventory has held). The rows
 * are then checked against the type as before, so a PID shared by another tag adds lookups, never matches.
 */
const KIND_PIDS = `SELECT k.udi_pid FROM product_kinds k WHERE k.product_tag LIKE @productType ESCAPE '\\' OR k.udi_pid LIKE @productType ESCAPE '\\'`;

/** 'walk': checked row by row along the sort index; 'selective': the selective term's index leads; 'driven': as selective, but the count driver's join supplies the trigram or tag term. */
type Mode = 'walk' | 'selective' | 'driven';

/**
 * The WHERE terms of one filter shape. Only the filters present become SQL, so each shape gets a plan that uses
 * its indexes (a catch-all "(@x IS NULL OR ...)" statement can use none). In 'selective' mode the sort and VA
 * terms are written so SQLite cannot pick their indexes (unary +): the selective term's index leads.
 */
export function whereTerms(f: InstanceFilter, mode: Mode): string[] {
  const plus = mode === 'walk' ? '' : '+';
  const terms: string[] = [f.virtualAccountId !== undefined
    ? `${plus}pi.va_id = @va`
    : `${plus}pi.va_id IN (SELECT id FROM virtual_accounts WHERE account_id = @account)`];
  if (f.registrationState === 'REGISTERED') terms.push(`((pi.kind = 'DEVICE' AND pi.registration_state = 'REGISTERED') OR pi.kind = 'RESERVED')`);
  if (f.registrationState === 'UNREGISTERED') terms.push(`pi.kind = 'DEVICE' AND pi.registration_state = 'UNREGISTERED'`);
  if (f.authorizationState !== undefined) terms.push('pi.authorization_state = @authorization');
  if (f.lastContactBefore !== undefined) terms.push(`${plus}pi.last_contact_at < @contactBefore`);
  if (f.lastContactAfter !== undefined) terms.push(`${plus}pi.last_contact_at > @contactAfter`);
  const selective = mode === 'walk' ? undefined : selectiveTerm(f);
  if (f.serialNumber !== undefined) terms.push(`${selective === 'serial' ? '' : '+'}pi.udi_serial_number = @serial COLLATE NOCASE`);
  if (f.pid !== undefined) terms.push(`${selective === 'pid' ? '' : '+'}pi.udi_pid = @pid COLLATE NOCASE`);
  if (f.productType !== undefined) {
    if (selective === 'productType') terms.push(`pi.udi_pid COLLATE NOCASE IN (${KIND_PIDS})`);
    // The PID first: it is in the PID index, so a type matching it never reads the row for its tag.
    terms.push(`(pi.udi_pid LIKE @productType ESCAPE '\\' OR pi.product_tag LIKE @productType ESCAPE '\\')`);
  }
  if (f.search !== undefined && f.searchMatch === 'prefix' && selective === 'prefix') {
    terms.push(`pi.rowid IN (${PREFIX_BRANCHES.join(' UNION ')})`);
  } else if (f.search !== undefined && f.searchMatch === 'prefix') {
    // Walking the sort index (the prefix matches too many rows to fetch them all): checked row by row.
    terms.push(`(${prefixRange('pi.hostname')} OR ${prefixRange('pi.udi_serial_number')} OR ${prefixRange('pi.udi_pid')}
      OR ${ID_PREFIX_TERM})`);
  } else if (f.search !== undefined && selective === 'contains') {
    if (mode === 'selective') terms.push(`pi.rowid IN (${CONTAINS_BRANCHES.join(' UNION ')})`);
  } else if (f.search !== undefined) {
    // The same matches as the trigram index, checked row by row (LIKE folds ASCII case only).
    terms.push(`(pi.hostname LIKE @search ESCAPE '\\' OR pi.ip_address LIKE @search ESCAPE '\\' OR pi.udi_pid LIKE @search ESCAPE '\\'
      OR pi.udi_serial_number LIKE @search ESCAPE '\\' OR ${ID_PREFIX_TERM})`);
  }
  if (f.licenseTag !== undefined) {
    // Walking, the tag is checked row by row; an IN list would materialize every instance of the tag per window.
    if (selective !== 'licenseTag') terms.push('EXISTS (SELECT 1 FROM instance_entitlements e WHERE e.instance_id = pi.id AND e.tag = @licenseTag)');
    else if (mode === 'selective') terms.push('pi.id IN (SELECT e.instance_id FROM instance_entitlements e WHERE e.tag = @licenseTag)');
  }
  return terms;
}

export type Selective = 'serial' | 'prefix' | 'contains' | 'pid' | 'productType' | 'licenseTag';

/** The one filter whose index answers first, most selective first; undefined when none has an index. */
export function selectiveTerm(f: InstanceFilter): Selective | undefined {
  if (f.serialNumber !== undefined) return 'serial';
  if (f.search !== undefined && f.searchMatch === 'prefix') return 'prefix';
  if (usesTrigrams(f)) return 'contains';
  if (f.pid !== undefined) return 'pid';
  if (f.productType !== undefined) return 'productType';
  if (f.licenseTag !== undefined) return 'licenseTag';
  return undefined;
}

export const PROBES: Record<Selective, string> = {
  serial: 'SELECT 1 FROM product_instances pi WHERE pi.udi_serial_number = @serial COLLATE NOCASE',
  // UNION ALL may count an instance twice (hostname and serial both match): an upper bound is what a probe needs.
  prefix: PREFIX_BRANCHES.join(' UNION ALL '),
  contains: CONTAINS_BRANCHES.join(' UNION ALL '),
  pid: 'SELECT 1 FROM product_instances pi WHERE pi.udi_pid = @pid COLLATE NOCASE',
  productType: `SELECT 1 FROM product_instances pi WHERE pi.udi_pid COLLATE NOCASE IN (${KIND_PIDS})`,
  licenseTag: 'SELECT 1 FROM instance_entitlements e WHERE e.tag = @licenseTag',
};

/**
 * Capped counts driven by the selective term's index, streaming (LIMIT stops them): each match is one row
 * read, so 10,001 matches are ~10,001 lookups however many instances the account holds. The trigram and tag
 * drivers are joins (an IN list would first collect every match). Prefix search has none (four ranges): it walks.
 */
export const COUNT_DRIVERS: Partial<Record<Selective, { from: string; on: string }>> = {
  serial: { from: 'product_instances pi', on: '1' },
  pid: { from: 'product_instances pi', on: '1' },
  productType: { from: 'product_instances pi', on: '1' },
  contains: { from: 'product_instance_search s CROSS JOIN product_instances pi ON pi.rowid = s.rowid', on: 's.product_instance_search MATCH @phrase' },
  licenseTag: {
    from: 'instance_entitlements e INDEXED BY instance_entitlements_by_tag CROSS JOIN product_instances pi ON pi.id = e.instance_id',
    on: 'e.tag = @licenseTag',
  },
};
/** The id-prefix matches the trigram index does not also hold (a contains search matches either). */
export const ID_ONLY = `${ID_PREFIX_TERM}
  AND NOT EXISTS (SELECT 1 FROM product_instance_search s WHERE s.product_instance_search MATCH @phrase AND s.rowid = pi.rowid)`;

/** Windows walk one VA's sort index; the service merges the VAs of an account-wide list. */
export function sortIndex(f: InstanceFilter): string {
  if (f.virtualAccountId === undefined) throw new Error('a window walks one virtual account: pass virtualAccountId');
  return 'product_instances_by_va_contact';
}
export const order = (sort: InstanceSort, plus = ''): string => (sort === 'lastContact'
  ? `${plus}pi.last_contact_at ASC, ${plus}pi.id ASC` : `${plus}pi.last_contact_at DESC, ${plus}pi.id DESC`);
export const afterTerm = (sort: InstanceSort, plus = ''): string =>
  `(${plus}pi.last_contact_at, ${plus}pi.id) ${sort === 'lastContact' ? '>' : '<'} (@afterContact, @afterId)`;
export const endTerm = (sort: InstanceSort): string => `(pi.last_contact_at, pi.id) ${sort === 'lastContact' ? '<=' : '>='} (@endContact, @endId)`;

export function params(f: InstanceFilter, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const p: Record<string, unknown> = { ...extra };
  if (f.virtualAccountId !== undefined) p.va = f.virtualAccountId; else p.account = f.accountId;
  if (f.authorizationState !== undefined) p.authorization = f.authorizationState;
  if (f.lastContactBefore !== undefined) p.contactBefore = f.lastContactBefore;
  if (f.lastContactAfter !== undefined) p.contactAfter = f.lastContactAfter;
  if (f.serialNumber !== undefined) p.serial = f.serialNumber;
  if (f.pid !== undefined) p.pid = f.pid;
  if (f.productType !== undefined) p.productType = contains(f.productType);
  if (f.search !== undefined) {
    const id = f.search.toLowerCase();
    Object.assign(p, { idPrefix: id, idPrefixEnd: id + PREFIX_END }, f.searchMatch === 'prefix'
      ? { prefix: f.search, prefixEnd: f.search + PREFIX_END }
      : { search: contains(f.search), phrase: ftsPhrase(f.search) });
  }
  if (f.licenseTag !== undefined) p.licenseTag = f.licenseTag;
  return p;
}

export const keyParams = (prefix: 'after' | 'end', key: InstanceKey | null | undefined): Record<string, unknown> =>
  (key ? { [`${prefix}Contact`]: key.lastContactAt, [`${prefix}Id`]: key.id } : {});

/** Which filters are present: the statement cache key. */
export const shapeOf = (f: InstanceFilter): string => [
  f.virtualAccountId !== undefined ? 'va' : 'acct', f.registrationState ?? '-', f.authorizationState !== undefined,
  f.lastContactBefore !== undefined, f.lastContactAfter !== undefined, f.serialNumber !== undefined, f.pid !== undefined,
  f.productType !== undefined, f.search === undefined ? '-' : (f.searchMatch ?? 'contains'), f.licenseTag !== undefined,
].join('|');

import { z } from 'zod';
import type { LicenseType } from '../../licensing/licenses/license-line.js';
import type { UpstreamOrderLine } from '../../licensing/upstream/order-line.js';
import type { UpstreamAccount, UpstreamOrderRepository, UpstreamVirtualAccount } from '../../licensing/upstream/upstream-unit-of-work.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface AccountRow { id: string; name: string; created_at: number }
interface VaRow { id: string; account_id: string; name: string; created_at: number }
interface LineRow {
  order_line_id: string; va_id: string; account_name: string; va_name: string; tag: string; display_name: string; description: string;
  quantity: number; license_type: string; starts_at: number; ends_at: number | null; substitution_ladder: string;
  substitution_level: number | null; loaded_at: number; updated_at: number; revision: number; ended_at: number | null;
}

const ladderColumn = z.array(z.string());
const licenseTypeColumn = z.enum(['PERPETUAL', 'TERM', 'SUBSCRIPTION']);

const toLine = (r: LineRow): UpstreamOrderLine => ({
  orderLineId: r.order_line_id, virtualAccountId: r.va_id, smartAccount: r.account_name, virtualAccount: r.va_name, tag: r.tag,
  displayName: r.display_name, description: r.description, quantity: r.quantity, licenseType: licenseTypeColumn.parse(r.license_type) satisfies LicenseType,
  startsAt: r.starts_at, endsAt: r.ends_at, substitutionLadder: ladderColumn.parse(JSON.parse(r.substitution_ladder)),
  substitutionLevel: r.substitution_level, loadedAt: r.loaded_at, updatedAt: r.updated_at, revision: r.revision, endedAt: r.ended_at,
});

const lineParams = (l: UpstreamOrderLine) => ({
  order_line_id: l.orderLineId, va_id: l.virtualAccountId, tag: l.tag, display_name: l.displayName, description: l.description,
  quantity: l.quantity, license_type: l.licenseType, starts_at: l.startsAt, ends_at: l.endsAt,
  substitution_ladder: JSON.stringify(l.substitutionLadder), substitution_level: l.substitutionLevel, loaded_at: l.loadedAt,
  updated_at: l.updatedAt, revision: l.revision, ended_at: l.endedAt,
});

export class SqliteUpstreamOrderRepository implements UpstreamOrderRepository {
  readonly #accountByName;
  readonly #insertAccount;
  readonly #accounts;
  readonly #vaByName;
  readonly #insertVa;
  readonly #vasOfAccount;
  readonly #lines;
  readonly #insertLine;
  readonly #updateLine;

  constructor(db: SqliteDatabase) {
    this.#accountByName = db.prepare<[string], AccountRow>('SELECT * FROM upstream_accounts WHERE name = ?');
    this.#insertAccount = db.prepare('INSERT INTO upstream_accounts (id, name, created_at) VALUES (?, ?, ?)');
    this.#accounts = db.prepare<[], AccountRow>('SELECT * FROM upstream_accounts ORDER BY name');
    this.#vaByName = db.prepare<[string, string], VaRow>('SELECT * FROM upstream_virtual_accounts WHERE account_id = ? AND name = ?');
    this.#insertVa = db.prepare('INSERT INTO upstream_virtual_accounts (id, account_id, name, created_at) VALUES (?, ?, ?, ?)');
    this.#vasOfAccount = db.prepare<[string], VaRow>('SELECT * FROM upstream_virtual_accounts WHERE account_id = ? ORDER BY name');
    this.#lines = db.prepare<[], LineRow>(`SELECT l.*, a.name AS account_name, v.name AS va_name FROM order_lines l
      JOIN upstream_virtual_accounts v ON v.id = l.va_id JOIN upstream_accounts a ON a.id = v.account_id ORDER BY l.order_line_id`);
    this.#insertLine = db.prepare(`INSERT INTO order_lines (order_line_id, va_id, tag, display_name, description, quantity, license_type,
      starts_at, ends_at, substitution_ladder, substitution_level, loaded_at, updated_at, revision, ended_at)
      VALUES (@order_line_id, @va_id, @tag, @display_name, @description, @quantity, @license_type, @starts_at, @ends_at,
      @substitution_ladder, @substitution_level, @loaded_at, @updated_at, @revision, @ended_at)`);
    this.#updateLine = db.prepare(`UPDATE order_lines SET va_id = @va_id, tag = @tag, display_name = @display_name, description = @description,
      quantity = @quantity, license_type = @license_type, starts_at = @starts_at, ends_at = @ends_at, substitution_ladder = @substitution_ladder,
      substitution_level = @substitution_level, loaded_at = @loaded_at, updated_at = @updated_at, revision = @revision, ended_at = @ended_at
      WHERE order_line_id = @order_line_id`);
  }

  findAccountByName(name: string): UpstreamAccount | undefined {
    const row = this.#accountByName.get(name);
    return row ? { id: row.id, name: row.name, createdAt: row.created_at } : undefined;
  }

  insertAccount(account: UpstreamAccount): void {
    this.#insertAccount.run(account.id, account.name, account.createdAt);
  }

  listAccounts(): UpstreamAccount[] {
    return this.#accounts.all().map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
  }

  findVirtualAccount(accountId: string, name: string): UpstreamVirtualAccount | undefined {
    const row = this.#vaByName.get(accountId, name);
    return row ? { id: row.id, accountId: row.account_id, name: row.name, createdAt: row.created_at } : undefined;
  }

  insertVirtualAccount(va: UpstreamVirtualAccount): void {
    this.#insertVa.run(va.id, va.accountId, va.name, va.createdAt);
  }

  listVirtualAccounts(accountId: string): UpstreamVirtualAccount[] {
    return this.#vasOfAccount.all(accountId).map((r) => ({ id: r.id, accountId: r.account_id, name: r.name, createdAt: r.created_at }));
  }

  listLines(): UpstreamOrderLine[] {
    return this.#lines.all().map(toLine);
  }

  insertLine(line: UpstreamOrderLine): void {
    this.#insertLine.run(lineParams(line));
  }

  updateLine(line: UpstreamOrderLine): void {
    this.#updateLine.run(lineParams(line));
  }
}

import type { Account, VirtualAccount } from '../../licensing/accounts/account.js';
import type { NewLicenseLine } from '../../licensing/accounts/inventory-service.js';
import type { LicenseLine } from '../../licensing/licenses/license-line.js';
import type { RegistrationToken } from '../../licensing/tokens/registration-token.js';
import type { AdminUser } from '../../licensing/users/admin-user.js';
import type { Role } from '../../licensing/users/principal.js';
import type { Satellite } from '../composition-root.js';

export interface TokenSpec {
  description?: string;
  expiresAfterDays?: number;
  maxUses?: number | null;
  exportControlled?: boolean;
}

export interface SeedSpec {
  accounts: Array<{
    name: string;
    virtualAccounts: Array<{ name: string; description?: string; licenses?: NewLicenseLine[]; tokens?: TokenSpec[] }>;
  }>;
}

export interface SeededToken {
  account: string;
  virtualAccount: string;
  token: RegistrationToken;
  /** The one-time secret a device sends in REGISTER. */
  secret: string;
}

export interface SeedResult {
  accounts: Account[];
  virtualAccounts: VirtualAccount[];
  lines: LicenseLine[];
  tokens: SeededToken[];
}

/** Seeding through the same services an admin uses, so seeded data obeys every rule real data does. */
export class SatelliteSeeder {
  readonly #satellite: Satellite;

  constructor(satellite: Satellite) {
    this.#satellite = satellite;
  }

  account(name: string): Account {
    return this.#satellite.inventory.createAccount(name);
  }

  virtualAccount(accountName: string, name: string, description = ''): VirtualAccount {
    return this.#satellite.inventory.createVirtualAccount(accountName, name, description);
  }

  licenseLine(accountName: string, vaName: string, line: NewLicenseLine): LicenseLine {
    const va = this.#satellite.inventory.findVirtualAccount(accountName, vaName);
    return this.#satellite.inventory.addLicenseLine(va.id, line);
  }

  token(accountName: string, vaName: string, spec: TokenSpec = {}): SeededToken {
    const va = this.#satellite.inventory.findVirtualAccount(accountName, vaName);
    const { token, secret } = this.#satellite.tokens.create({
      virtualAccountId: va.id,
      description: spec.description ?? 'seeded token',
      ...(spec.expiresAfterDays !== undefined ? { expiresAfterDays: spec.expiresAfterDays } : {}),
      maxUses: spec.maxUses ?? null,
      exportControlledAllowed: spec.exportControlled ?? true,
      createdBy: 'seed',
    });
    return { account: accountName, virtualAccount: vaName, token, secret };
  }

  /** A user who can sign in at once (no forced password change). accountScope holds account names. */
  async user(username: string, password: string, role: Role, accountScope?: string[]): Promise<AdminUser> {
    const { user } = await this.#satellite.users.create(
      { username, password, role, accountScope: accountScope ?? null, mustChangePassword: false }, 'seed',
    );
    return user;
  }

  apply(spec: SeedSpec): SeedResult {
    const result: SeedResult = { accounts: [], virtualAccounts: [], lines: [], tokens: [] };
    for (const accountSpec of spec.accounts) {
      result.accounts.push(this.account(accountSpec.name));
      for (const vaSpec of accountSpec.virtualAccounts) {
        result.virtualAccounts.push(this.virtualAccount(accountSpec.name, vaSpec.name, vaSpec.description));
        for (const line of vaSpec.licenses ?? []) result.lines.push(this.licenseLine(accountSpec.name, vaSpec.name, line));
        for (const token of vaSpec.tokens ?? []) result.tokens.push(this.token(accountSpec.name, vaSpec.name, token));
      }
    }
    return result;
  }
}

/** What the README demo and `satellite demo seed` create: one account, one VA, a few licenses, a token. */
export const DEMO_SEED: SeedSpec = {
  accounts: [{
    name: 'Demo Account',
    virtualAccounts: [{
      name: 'Default',
      description: 'Demo virtual account',
      licenses: [
        {
          tag: 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21',
          displayName: 'UCM Enhanced License (12.x)', description: 'Cisco Unified Communications Manager Enhanced',
          quantity: 100,
        },
        {
          tag: 'regid.2017-05.com.cisco.C9300_DNA_Advantage,1.0_e2d2b2b1-7a8c-4d3e-8f6a-1b2c3d4e5f60',
          displayName: 'C9300 DNA Advantage', description: 'Catalyst 9300 DNA Advantage term license',
          quantity: 10, licenseType: 'TERM',
        },
      ],
      tokens: [{ description: 'demo token', expiresAfterDays: 30 }],
    }],
  }],
};

import type { Account, VirtualAccount } from '../accounts/account.js';
import type { IdCertificate, ProductInstance } from '../instances/product-instance.js';

/** The result of a successful REGISTER or RENEW_ID_CERT, from which the transport builds its response. */
export interface IdentityOutcome {
  instance: ProductInstance;
  certificate: IdCertificate;
  account: Account;
  virtualAccount: VirtualAccount;
  exportControlAllowed: boolean;
  nextRenewalAt: number;
}

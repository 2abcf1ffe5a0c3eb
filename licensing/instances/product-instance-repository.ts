import type { CertificateKey, IdCertificate, InstanceEntitlement, InstanceStamp, ProductInstance } from './product-instance.js';

export interface ProductInstanceRepository {
  insert(instance: ProductInstance): void;
  update(instance: ProductInstance): void;
  /**
   * Writes only the fields an AUTHORIZE changes (authorization state and expiry, authorized at, short-report
   * streak, last contact) of an instance read in the same transaction. Cheaper than update(): no other
   * column, and so none of the indexed ones, is rewritten.
   */
  recordAuthorization(instance: ProductInstance): void;
  findById(id: string): ProductInstance | undefined;
  /** The registered instance holding this UDI (pid + serial number), if any. */
  findRegisteredByUdi(pid: string, serialNumber: string): ProductInstance | undefined;
  touch(id: string, lastContactAt: number): void;
  /** The instance's change stamp, for confirming a read made before the write transaction; undefined: no such instance. */
  stampOf(id: string): InstanceStamp | undefined;
  countRegistered(): number;
  listEntitlements(instanceId: string): InstanceEntitlement[];
  upsertEntitlement(instanceId: string, entitlement: InstanceEntitlement): void;
  deleteEntitlements(instanceId: string): void;
}

export interface CertificateRepository {
  insert(certificate: IdCertificate): void;
  findBySerial(serial: string): IdCertificate | undefined;
  /** The certificate without its PEM (the device path reads this one: the PEM is most of the row). */
  findKeyBySerial(serial: string): CertificateKey | undefined;
  revoke(serial: string, at: number): void;
}

export type ActorType = 'user' | 'device' | 'system' | 'upstream';

export type EventType =
  | 'ACCOUNT_CREATED'
  | 'VIRTUAL_ACCOUNT_CREATED'
  | 'LICENSE_LINE_ADDED'
  | 'TOKEN_CREATED'
  | 'TOKEN_REVOKED'
  | 'PRODUCT_INSTANCE_REGISTERED'
  | 'PRODUCT_INSTANCE_REREGISTERED'
  | 'ID_CERTIFICATE_RENEWED'
  | 'PRODUCT_INSTANCE_DEREGISTERED'
  | 'PRODUCT_INSTANCE_OUT_OF_COMPLIANCE';

export interface SatelliteEvent {
  id?: number;
  occurredAt: number;
  accountId: string | null;
  virtualAccountId: string | null;
  actorType: ActorType;
  actorId: string | null;
  type: EventType;
  message: string;
  details: Record<string, unknown>;
}

export type ActorType = 'user' | 'device' | 'system' | 'upstream';

export type EventType =
  | 'ACCOUNT_CREATED'
  | 'VIRTUAL_ACCOUNT_CREATED'
  | 'ACCOUNT_RENAMED'
  | 'ACCOUNT_DELETED'
  | 'VIRTUAL_ACCOUNT_UPDATED'
  | 'VIRTUAL_ACCOUNT_DELETED'
  | 'LICENSE_TRANSFERRED'
  | 'LICENSE_LINE_ADDED'
  | 'TOKEN_CREATED'
  | 'TOKEN_REVOKED'
  | 'PRODUCT_INSTANCE_REGISTERED'
  | 'PRODUCT_INSTANCE_REREGISTERED'
  | 'ID_CERTIFICATE_RENEWED'
  | 'PRODUCT_INSTANCE_DEREGISTERED'
  | 'PRODUCT_INSTANCE_OUT_OF_COMPLIANCE'
  | 'PRODUCT_INSTANCE_TRANSFERRED'
  | 'PRODUCT_INSTANCE_REMOVED'
  | 'USER_LOGIN'
  | 'USER_LOGIN_FAILED'
  | 'USER_LOCKED_OUT'
  | 'USER_LOGOUT'
  | 'USER_CREATED'
  | 'USER_UPDATED'
  | 'USER_DELETED'
  | 'USER_PASSWORD_CHANGED'
  | 'API_CLIENT_CREATED'
  | 'API_CLIENT_REVOKED'
  | 'API_CLIENT_TOKEN_ISSUED'
  | 'API_CLIENT_AUTH_FAILED'
  | 'SATELLITE_REGISTERED'
  | 'SYNC_MODE_CHANGED'
  | 'VIRTUAL_ACCOUNT_ADOPTED'
  | 'SYNC_RESPONSE_IMPORTED'
  | 'SYNC_IMPORT_REFUSED'
  | 'SYNC_BUNDLE_TAMPERED';

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

export type AlertSeverity = 'Major' | 'Minor' | 'Informational';

export interface Alert {
  id: string;
  severity: AlertSeverity;
  messageType: string;
  source: string;
  target: string;
  message: string;
  accountId: string | null;
  virtualAccountId: string | null;
  raisedAt: number;
  clearedAt: number | null;
}

export type VirtualAccountOrigin = 'local' | 'upstream';

export interface Account {
  id: string;
  name: string;
  createdAt: number;
}

export interface VirtualAccount {
  id: string;
  accountId: string;
  name: string;
  description: string;
  origin: VirtualAccountOrigin;
  createdAt: number;
}

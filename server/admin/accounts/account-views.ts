import { z } from 'zod';
import type { Account, VirtualAccount } from '../../../licensing/accounts/account.js';
import { isoTime } from '../shared/request-fields.js';

export const virtualAccountView = z.object({
  name: z.string(),
  description: z.string(),
  origin: z.enum(['local', 'upstream']).describe('upstream VAs are managed by the upstream and cannot be changed here'),
  createdAt: z.string().describe('ISO 8601'),
});

export const accountView = z.object({
  name: z.string(),
  createdAt: z.string().describe('ISO 8601'),
  virtualAccountCount: z.number().int(),
  reservationEnabled: z.boolean().describe('license reservation (SLR/PLR) allowed; off by default, set by an admin'),
});

export function toVirtualAccountView(va: VirtualAccount): z.infer<typeof virtualAccountView> {
  return { name: va.name, description: va.description, origin: va.origin, createdAt: isoTime(va.createdAt) };
}

export function toAccountView(account: Account, virtualAccountCount: number, reservationEnabled: boolean): z.infer<typeof accountView> {
  return { name: account.name, createdAt: isoTime(account.createdAt), virtualAccountCount, reservationEnabled };
}

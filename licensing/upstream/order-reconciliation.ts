import { sameTerms, type OrderLineTerms, type UpstreamOrderLine } from './order-line.js';

export interface OrderReconciliation {
  inserted: OrderLineTerms[];
  /** Lines whose terms changed, and ended lines the file lists again (reactivated). */
  updated: Array<{ before: UpstreamOrderLine; after: OrderLineTerms }>;
  /** Lines in force that the file no longer lists: they end, they are not deleted. */
  ended: UpstreamOrderLine[];
  unchanged: number;
}

/**
 * Compares the upstream's books with a complete orders file, by order line id. Pure, so the whole plan can be
 * checked before a single row is written.
 */
export function reconcileOrderLines(existing: readonly UpstreamOrderLine[], incoming: readonly OrderLineTerms[]): OrderReconciliation {
  const byId = new Map(existing.map((line) => [line.orderLineId, line]));
  const listed = new Set<string>();
  const plan: OrderReconciliation = { inserted: [], updated: [], ended: [], unchanged: 0 };
  for (const terms of incoming) {
    listed.add(terms.orderLineId);
    const before = byId.get(terms.orderLineId);
    if (before === undefined) plan.inserted.push(terms);
    else if (before.endedAt !== null || !sameTerms(before, terms)) plan.updated.push({ before, after: terms });
    else plan.unchanged += 1;
  }
  for (const line of existing) {
    if (!listed.has(line.orderLineId) && line.endedAt === null) plan.ended.push(line);
  }
  return plan;
}

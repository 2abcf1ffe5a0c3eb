/** account_scope columns hold a JSON array of account ids; NULL means every account. */
export function readAccountScope(text: string | null): string[] | null {
  if (text === null) return null;
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
}

export function writeAccountScope(scope: readonly string[] | null): string | null {
  return scope === null ? null : JSON.stringify(scope);
}

/**
 * The services word their refusals for the admin API (field names, `force: true`); the CLI user typed
 * flags, so the same refusal names the flags there. Only whole words of the known fields are replaced.
 */
const API_TO_FLAG: ReadonlyArray<[RegExp, string]> = [
  [/\bSend force: true\b/g, 'Pass --force'],
  [/\bset force\b/g, 'pass --force'],
  [/\bexpiresAfterDays\b/g, '--days'],
  [/\bmaxUses\b/g, '--max-uses'],
  [/\bexportControlledAllowed\b/g, '--no-export-controlled'],
  [/\btargetVirtualAccount(Id)?\b/g, '--to'],
];

export function inCliTerms(message: string): string {
  return API_TO_FLAG.reduce((text, [pattern, flag]) => text.replace(pattern, flag), message);
}

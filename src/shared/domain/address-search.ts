/**
 * What a search box over addresses means (the quarantine list): `@corp.test` is every address of that domain
 * (exactly that domain: `@corp.test` does not list `mail.corp.test`; search `.corp.test` for its subdomains),
 * anything else is a part of the address (`corp`, `bob@`, `.fr`), case-insensitive.
 */
export type AddressSearch =
  { kind: 'domain'; domain: string } | { kind: 'contains'; text: string } | { kind: 'all' };

export function parseAddressSearch(input: string | undefined): AddressSearch {
  const text = (input ?? '').trim().toLowerCase();
  if (text === '' || text === '@') return { kind: 'all' };
  if (text.startsWith('@') && !text.slice(1).includes('@')) return { kind: 'domain', domain: text.slice(1) };
  return { kind: 'contains', text };
}

/** One line saying how the search was read, for the console and the CLI. */
export function describeAddressSearch(search: AddressSearch): string {
  switch (search.kind) {
    case 'all':
      return 'every address';
    case 'domain':
      return `addresses at ${search.domain}`;
    case 'contains':
      return `addresses containing “${search.text}”`;
  }
}

/**
 * Microsoft's Junk Mail Reporting Program (JMRP) complaints in their original, non-RFC 5965 form: the
 * complained-about message is forwarded whole (as a message/rfc822 part of a `complaint about message from
 * <ip>` mail from staff@hotmail.com, or as the message itself), marked by `X-HmXmrOriginalRecipient` (the
 * Hotmail mailbox that complained) and `X-Reporter-IP`. The recipient is the address the sender used: the
 * complained message's To when it names one address, else X-HmXmrOriginalRecipient (it can be an alias).
 */
import { headerOf, type HeaderField, type MimePart } from './mime';
import { addressesIn } from './returned-headers';

export interface JmrpComplaint {
  recipient: string | null;
  /** The header of the complained-about message. */
  complained: readonly HeaderField[];
}

/** The JMRP complaint a message is, or null. `parts` are the message's own parts (not nested ones). */
export function parseJmrp(root: MimePart, parts: readonly MimePart[]): JmrpComplaint | null {
  const marked = (h: readonly HeaderField[]) => headerOf(h, 'x-hmxmroriginalrecipient') !== null;
  // The forwarded message first: when the report itself is marked too, its To is the feedback address.
  const enclosed = parts.flatMap((p) => (p.message ? [p.message.headers] : [])).find(marked);
  const complained = enclosed ?? (marked(root.headers) ? root.headers : null);
  if (!complained) return null;
  const original = addressesIn(headerOf(complained, 'x-hmxmroriginalrecipient'))[0] ?? null;
  const to = [...new Set(addressesIn(headerOf(complained, 'to')).map((a) => a.toLowerCase()))];
  return { recipient: to.length === 1 && to[0] ? to[0] : original, complained };
}

import { useState } from 'react';
import type { HostPort, MessageTemplate, Route } from '../../../shared/contract';
import { Button } from '../../components/Button';
import { MessageDrawer } from './MessageDrawer';

/**
 * "View full message" for a draft (the New delivery page): the message the template gives for a row of the list
 * (the first, or another of the rows the list's preview read), with headers, HTML, source and DKIM signature, and a proof form. `routing` is null while the form's
 * routing or message is not valid yet (a proof then cannot be sent).
 */
export function MessagePreviewButton({
  template,
  rows,
  routing,
}: {
  template: MessageTemplate;
  /** The list's first rows (empty before a list is chosen: a sample recipient is used). */
  rows: readonly Readonly<Record<string, string>>[];
  routing: { routes: Route[]; smarthost: HostPort | null } | null;
}) {
  const [open, setOpen] = useState(false);
  const ready = template.fromAddress.trim() !== '' && template.subject.trim() !== '';
  return (
    <>
      <Button
        size="sm"
        onClick={() => setOpen(true)}
        disabled={!ready}
        title={ready ? undefined : 'Give the message a sender address and a subject first'}
        testId="view-full-message"
      >
        View full message
      </Button>
      {open && (
        <MessageDrawer
          source={{
            kind: 'draft',
            template,
            rows: rows.map((r) => ({ ...r })),
            routes: routing?.routes ?? [],
            smarthost: routing?.smarthost ?? null,
            proofBlocked: routing === null,
          }}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

import { useState } from 'react';
import type { LogRow } from '../../../shared/contract';
import { Button } from '../../components/Button';
import { MessageDrawer } from './MessageDrawer';

/** The delivery log drawer's way to the message viewer: the message to this recipient, as sent. */
export function ViewMessageButton({ row }: { row: LogRow }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)} testId="view-message">
        View message
      </Button>
      {open && (
        <MessageDrawer
          source={{ kind: 'sent', deliveryId: row.deliveryId, logId: row.id, email: row.email }}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

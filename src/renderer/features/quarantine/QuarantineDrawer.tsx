import { useState, type FormEvent } from 'react';
import {
  QUARANTINE_STATUSES,
  type QuarantineEntry,
  type QuarantineStatus,
} from '../../../shared/contract/bounce';
import { FAILURE_TYPE_LABELS, REASONS } from '../../../shared/domain/reasons';
import { useMutation } from '../../api/hooks';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Drawer } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field, Select, TextArea, TextInput } from '../../components/Field';
import { formatCount, formatTimestamp } from '../../components/format';
import { Prop } from '../../components/Prop';
import {
  QUARANTINE_SOURCE_LABELS,
  QUARANTINE_STATUS_HINTS,
  QUARANTINE_STATUS_LABELS,
  quarantineAddress,
} from './quarantine-model';

/** Edit one address of the quarantine list (status, note, remove), or add one when `entry` is null. */
export function QuarantineDrawer({
  entry,
  onClose,
  onDone,
}: {
  entry: QuarantineEntry | null;
  onClose(): void;
  onDone(message: string): void;
}) {
  const [address, setAddress] = useState(entry?.address ?? '');
  const [status, setStatus] = useState<QuarantineStatus>(entry?.status ?? 'quarantine');
  const [note, setNote] = useState(entry?.note ?? '');
  const [addressError, setAddressError] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const set = useMutation('quarantine.set');
  const remove = useMutation('quarantine.remove');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = quarantineAddress(address);
    if (!checked.ok) {
      setAddressError(checked.message);
      return;
    }
    const result = await set.mutate({ address: checked.address, status, note: note.trim() });
    if (result.ok)
      onDone(
        `${result.value.address} is now ${QUARANTINE_STATUS_LABELS[result.value.status].toLowerCase()}.`,
      );
  };

  const onRemove = async () => {
    if (!entry) return;
    const result = await remove.mutate({ address: entry.address });
    setConfirmRemove(false);
    if (result.ok) onDone(`${entry.address} was removed from the list; it is valid again.`);
  };

  return (
    <Drawer
      title={entry ? entry.address : 'Add an address'}
      onClose={onClose}
      testId={entry ? 'quarantine-drawer' : 'quarantine-add-drawer'}
    >
      {entry && (
        <dl className="props quarantine-props">
          <Prop label="Errors counted">{formatCount(entry.errorCount)}</Prop>
          <Prop label="Last error">
            {entry.lastErrorAt !== null ? formatTimestamp(entry.lastErrorAt) : null}
          </Prop>
          <Prop label="Last reason">
            {entry.lastReason
              ? `${REASONS[entry.lastReason].label}${entry.lastType ? ` · ${FAILURE_TYPE_LABELS[entry.lastType]}` : ''}`
              : null}
          </Prop>
          <Prop label="In quarantine since">
            {entry.quarantinedAt !== null ? formatTimestamp(entry.quarantinedAt) : null}
          </Prop>
          <Prop label="Source">{QUARANTINE_SOURCE_LABELS[entry.source]}</Prop>
          <Prop label="Updated">{formatTimestamp(entry.updatedAt)}</Prop>
        </dl>
      )}
      <form className="rule-form quarantine-form" onSubmit={(e) => void submit(e)} noValidate>
        {!entry && (
          <Field
            label="Address"
            htmlFor="quarantine-address"
            errors={addressError ? [addressError] : []}
            hint="Matched case-insensitively"
          >
            <TextInput
              id="quarantine-address"
              type="email"
              autoFocus
              value={address}
              invalid={addressError !== null}
              onChange={(e) => {
                setAddress(e.target.value);
                setAddressError(null);
              }}
              data-testid="quarantine-address"
            />
          </Field>
        )}
        <Field label="Status" htmlFor="quarantine-status" hint={QUARANTINE_STATUS_HINTS[status]}>
          <Select
            id="quarantine-status"
            value={status}
            onChange={(e) => setStatus(e.target.value as QuarantineStatus)}
            data-testid="quarantine-status"
          >
            {QUARANTINE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {QUARANTINE_STATUS_LABELS[s]}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Note" htmlFor="quarantine-note">
          <TextArea
            id="quarantine-note"
            rows={3}
            value={note}
            maxLength={1000}
            onChange={(e) => setNote(e.target.value)}
            data-testid="quarantine-note"
          />
        </Field>
        <ErrorBanner error={set.error ?? remove.error} title="The list could not be changed" />
        <div className="rule-form-actions">
          {entry && (
            <Button
              variant="danger"
              className="quarantine-remove"
              onClick={() => setConfirmRemove(true)}
              testId="quarantine-remove"
            >
              Remove…
            </Button>
          )}
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={set.pending} testId="quarantine-save">
            {set.pending ? 'Saving…' : entry ? 'Save' : 'Add'}
          </Button>
        </div>
      </form>
      {confirmRemove && entry && (
        <ConfirmDialog
          title={`Remove ${entry.address}?`}
          confirmLabel="Remove"
          danger
          busy={remove.pending}
          testId="quarantine-remove-dialog"
          onCancel={() => setConfirmRemove(false)}
          onConfirm={() => void onRemove()}
        >
          <p>
            The address and its error history are forgotten: it is valid again and new deliveries send to it.
          </p>
        </ConfirmDialog>
      )}
    </Drawer>
  );
}

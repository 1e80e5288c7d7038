import { useState } from 'react';
import type { MessageTemplate, SavedTemplate } from '../../../shared/contract';
import { useMutation } from '../../api/hooks';
import { Button } from '../../components/Button';
import { TextInput } from '../../components/Field';

/**
 * "Save as template": the message under a name. A name already saved replaces that template once confirmed
 * (the button says so); anything else is a new template.
 */
export function SaveTemplate({
  template,
  saved,
  onSaved,
}: {
  template: MessageTemplate;
  saved: readonly SavedTemplate[];
  onSaved(t: SavedTemplate): void;
}) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const save = useMutation('templates.save');
  const same = saved.find((t) => t.name.trim().toLowerCase() === name.trim().toLowerCase());

  const submit = async () => {
    if (name.trim() === '' || save.pending) return;
    const result = await save.mutate({ ...(same ? { id: same.id } : {}), name: name.trim(), template });
    if (!result.ok) return;
    onSaved(result.value);
    setDone(`Saved as “${result.value.name}”.`);
    setOpen(false);
  };

  if (!open)
    return (
      <span className="save-template">
        {done && (
          <span className="muted small" role="status" data-testid="template-saved">
            {done}
          </span>
        )}
        <Button
          size="sm"
          onClick={() => {
            setDone(null);
            setOpen(true);
          }}
          testId="save-template"
        >
          Save as template…
        </Button>
      </span>
    );
  // A <div> (not a nested <form>: the page is a form): Enter in the name saves.
  return (
    <div className="save-template" data-testid="save-template-form">
      <TextInput
        aria-label="Template name"
        data-testid="template-name"
        placeholder="Template name"
        autoFocus
        value={name}
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            // The page is a form: Enter here saves the template, not the delivery.
            e.preventDefault();
            void submit();
          }
          if (e.key === 'Escape') setOpen(false);
        }}
        invalid={save.error !== null}
      />
      <Button
        size="sm"
        variant="primary"
        disabled={name.trim() === '' || save.pending}
        onClick={() => void submit()}
        testId="save-template-confirm"
      >
        {same ? `Replace “${same.name}”` : 'Save'}
      </Button>
      <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
        Cancel
      </Button>
      {save.error && (
        <span className="field-error" role="alert">
          {save.error.message}
        </span>
      )}
    </div>
  );
}

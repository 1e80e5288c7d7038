/**
 * "Provider profiles": the simulated receivers of the sandbox and of simulations, edited as one draft (the
 * rules pages' model: unsaved indicator, client check then the server's, Save, Reset to shipped, Discard,
 * Export / Import JSON). Problems are shown in plain language against the profile and the field; unsaved
 * edits are never dropped silently when leaving the page.
 */
import { useState, type ChangeEvent } from 'react';
import type { ErrorDetail } from '../../../shared/contract/errors';
import type {
  SandboxProfile,
  SandboxProfilesDocument,
  SandboxProfilesState,
} from '../../../shared/contract/simulation';
import { useMutation, useQuery } from '../../api/hooks';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Field, fieldDescription, TextInput } from '../../components/Field';
import { DocumentToolbar } from '../../components/DocumentToolbar';
import { ProblemsBanner } from '../../components/ProblemsBanner';
import { UnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import { UnsavedBadge } from '../rules/UnsavedBadge';
import { useRulesDraft } from '../rules/use-rules-draft';
import { ProfileEditor } from './ProfileEditor';
import {
  buildDocument,
  checkProfilesJson,
  describeConnection,
  describeDocument,
  describeLimits,
  describeProblem,
  describeRates,
  draftOf,
  duplicateProfile,
  formatProfilesJson,
  newProfile,
  problemsOfProfile,
  profileNamesOf,
  profileProblem,
  profilesFileName,
  profilesWithProblems,
  sameDraft,
  type ProfilesDraft,
} from './profiles-model';
import '../rules/rules.css';
import './simulator.css';

export function ProfilesPage() {
  const profiles = useQuery('profiles.get', {});
  if (profiles.loading) {
    return (
      <div className="page">
        <div className="loading">Loading provider profiles…</div>
      </div>
    );
  }
  if (!profiles.data) {
    return (
      <div className="page">
        <ErrorBanner
          error={profiles.error}
          title="The provider profiles could not be loaded"
          action={<Button onClick={profiles.refetch}>Retry</Button>}
        />
      </div>
    );
  }
  return <ProfilesEditor initial={profiles.data} />;
}

type Editing = { index: number | null; profile: SandboxProfile };

function ProfilesEditor({ initial }: { initial: SandboxProfilesState }) {
  const [editing, setEditing] = useState<Editing | null>(null);
  const [importProblems, setImportProblems] = useState<{
    file: string;
    problems: ErrorDetail[];
    names: { name: string }[];
  } | null>(null);
  const save = useMutation('profiles.save');
  const reset = useMutation('profiles.reset');
  const model = useRulesDraft<SandboxProfilesState, ProfilesDraft, SandboxProfilesDocument>({
    initial,
    draftOf,
    same: sameDraft,
    check: buildDocument,
    save,
    reset,
    savedNotice: (s) =>
      `Saved ${describeDocument(s.document)}. The sandbox and the next simulations use them.`,
    resetNotice: (s) => `Shipped profiles restored (${describeDocument(s.document)}).`,
    onReplaced: () => setImportProblems(null),
  });
  const { draft, dirty, problems, change } = model;

  const set = (profiles: SandboxProfile[]) => change({ ...draft, profiles });

  const onExport = () => {
    const doc = model.checked();
    if (doc === null) return;
    const url = URL.createObjectURL(new Blob([formatProfilesJson(doc)], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = profilesFileName(new Date());
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };

  const onImport = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const text = await file.text();
    const checked = checkProfilesJson(text);
    if (!checked.ok) {
      setImportProblems({ file: file.name, problems: checked.problems, names: profileNamesOf(text) });
      return;
    }
    setImportProblems(null);
    model.setProblems([]);
    change({ seed: String(checked.doc.seed), profiles: checked.doc.profiles });
    model.setNotice(
      `Loaded ${describeDocument(checked.doc)} from ${file.name}. Review them, then Save to put them in force.`,
    );
  };

  const applyEdit = (profile: SandboxProfile) => {
    if (!editing) return;
    set(
      editing.index === null
        ? [...draft.profiles, profile]
        : draft.profiles.map((p, i) => (i === editing.index ? profile : p)),
    );
    setEditing(null);
  };

  const problemRows = profilesWithProblems(problems);
  const seedProblems = problems.filter((p) => p.field === 'seed').map((p) => profileProblem(p).message);

  return (
    <div className="page" data-testid="profiles-page">
      <header className="page-header">
        <div className="min-w-0">
          <div className="title-row">
            <h1 className="page-title">Provider profiles</h1>
            {dirty ? (
              <UnsavedBadge testId="unsaved-indicator" />
            ) : model.saved.customised ? (
              <Badge tone="blue" title="The profiles in force were edited">
                Customised
              </Badge>
            ) : (
              <Badge tone="grey" title="The profiles shipped with Relaydeck are in force">
                Shipped profiles
              </Badge>
            )}
          </div>
          <p className="page-subtitle">
            How each simulated receiver answers: outcome rates, replies, delays and hidden limits. The sandbox
            and the next simulations use the saved profiles.
          </p>
        </div>
        <DocumentToolbar
          prefix="profiles"
          what="the profiles"
          resetLabel="Reset to shipped"
          dirty={dirty}
          saving={save.pending}
          onImport={(e) => void onImport(e)}
          onExport={onExport}
          onReset={model.askReset}
          onDiscard={model.discard}
          onSave={() => void model.save()}
        />
      </header>

      {model.notice && (
        <Notice tone="blue" testId="profiles-notice">
          {model.notice}
        </Notice>
      )}
      <ErrorBanner error={model.callError} title="The profiles could not be saved" />
      {problems.length > 0 && (
        <ProblemBanner
          title={save.error ? 'The server refused the profiles' : 'Fix these problems before saving'}
          problems={problems}
          profiles={draft.profiles}
          testId="profiles-problems"
        />
      )}
      {importProblems && (
        <ProblemBanner
          title={`${importProblems.file} is not a valid profiles file; nothing was loaded`}
          problems={importProblems.problems}
          profiles={importProblems.names}
          testId="profiles-import-problems"
          onDismiss={() => setImportProblems(null)}
        />
      )}

      <Card
        className="card-flush"
        title="Profiles"
        description="Each profile answers for its domains; a domain no profile serves is refused (550 5.1.2)."
        actions={
          <Button
            size="sm"
            onClick={() => setEditing({ index: null, profile: newProfile(draft.profiles) })}
            testId="profile-add"
          >
            Add profile
          </Button>
        }
        testId="profiles-card"
      >
        <ProfilesTable
          profiles={draft.profiles}
          problemRows={problemRows}
          onEdit={(index) => {
            const profile = draft.profiles[index];
            if (profile) setEditing({ index, profile });
          }}
          onDuplicate={(index) => {
            const profile = draft.profiles[index];
            if (profile) setEditing({ index: null, profile: duplicateProfile(draft.profiles, profile) });
          }}
          onDelete={(index) => set(draft.profiles.filter((_, i) => i !== index))}
        />
      </Card>

      <Card
        title="Random draws"
        description="Which recipients are unknown, greylisted, full… is drawn per address from this seed, so a recipient meets the same fate in every scenario of a simulation. A simulation may use another seed."
      >
        <Field label="Seed" htmlFor="profiles-seed" errors={seedProblems} className="input-short">
          <TextInput
            id="profiles-seed"
            inputMode="numeric"
            value={draft.seed}
            invalid={seedProblems.length > 0}
            aria-describedby={fieldDescription('profiles-seed', undefined, seedProblems)}
            onChange={(e) => change({ ...draft, seed: e.target.value })}
            data-testid="profiles-seed"
          />
        </Field>
      </Card>

      {editing && (
        <ProfileEditor
          profile={editing.profile}
          isNew={editing.index === null}
          serverErrors={editing.index === null ? {} : problemsOfProfile(problems, editing.index)}
          onApply={applyEdit}
          onClose={() => setEditing(null)}
        />
      )}
      {model.confirmReset && (
        <ConfirmDialog
          title="Reset to the shipped profiles?"
          confirmLabel="Reset to shipped"
          danger
          testId="profiles-reset-dialog"
          {...model.resetDialog}
        >
          <p>
            Every provider profile and the seed are replaced by the ones shipped with Relaydeck, for the
            sandbox and the next simulations{dirty ? '; your unsaved changes are lost' : ''}. Export the
            current profiles first to keep a copy.
          </p>
        </ConfirmDialog>
      )}
      <UnsavedChangesGuard dirty={dirty || editing !== null} what="the provider profiles" />
    </div>
  );
}

function ProfilesTable({
  profiles,
  problemRows,
  onEdit,
  onDuplicate,
  onDelete,
}: {
  profiles: readonly SandboxProfile[];
  problemRows: ReadonlySet<number>;
  onEdit(index: number): void;
  onDuplicate(index: number): void;
  onDelete(index: number): void;
}) {
  return (
    <div className="rules-table-wrap">
      <table className="table-compact table-full rules-table profiles-table" data-testid="profiles-table">
        <thead>
          <tr>
            <th scope="col">Profile</th>
            <th scope="col">Domains</th>
            <th scope="col">Outcomes</th>
            <th scope="col">Hidden limits</th>
            <th scope="col">Connection and delays</th>
            <th scope="col" className="end">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {profiles.map((p, i) => (
            <tr
              key={`${i}-${p.id}`}
              className={problemRows.has(i) ? 'has-problem' : undefined}
              data-testid="profile-row"
              data-profile-id={p.id}
            >
              <td className="profile-name-cell" title={p.description || undefined}>
                <button
                  type="button"
                  className="rule-id-button"
                  onClick={() => onEdit(i)}
                  aria-label={`Edit profile ${p.name}`}
                  data-testid="profile-edit"
                >
                  {p.name}
                </button>
                {p.description && <span className="muted rule-description">{p.description}</span>}
              </td>
              <td className="profile-domains">
                {p.domains.length === 0 ? <span className="muted">none</span> : p.domains.join(', ')}
                {p.mxHosts.length > 0 && (
                  <span className="muted profile-mx" title={`MX hosts: ${p.mxHosts.join(', ')}`}>
                    MX {p.mxHosts[0]}
                    {p.mxHosts.length > 1 ? ` +${p.mxHosts.length - 1}` : ''}
                  </span>
                )}
              </td>
              <td className="profile-wrap" data-testid="profile-rates">
                {p.connection === 'refuse' ? <span className="muted">—</span> : describeRates(p.rates)}
              </td>
              <td className="profile-wrap">
                {p.connection === 'refuse' ? <span className="muted">—</span> : describeLimits(p.limits)}
              </td>
              <td className="profile-wrap">{describeConnection(p)}</td>
              <td className="end">
                <div className="rule-actions">
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => onDuplicate(i)}
                    aria-label={`Duplicate profile ${p.name}`}
                    title="Duplicate"
                    testId="profile-duplicate"
                  >
                    Duplicate
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => onDelete(i)}
                    disabled={profiles.length <= 1}
                    aria-label={`Delete profile ${p.name}`}
                    title={profiles.length <= 1 ? 'At least one profile is needed' : 'Delete'}
                    testId="profile-delete"
                  >
                    ✕
                  </Button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Problems of the document or a file, each naming the profile and the field in plain words. */
function ProblemBanner({
  title,
  problems,
  profiles,
  testId,
  onDismiss,
}: {
  title: string;
  problems: readonly ErrorDetail[];
  profiles: readonly { name: string }[];
  testId: string;
  onDismiss?(): void;
}) {
  return (
    <ProblemsBanner
      title={title}
      items={problems.map((p) => describeProblem(p, profiles))}
      cap={30}
      testId={testId}
      {...(onDismiss ? { onDismiss } : {})}
    />
  );
}

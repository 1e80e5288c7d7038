/**
 * "Bounce qualification" (SPEC §4.2): the delivery-log qualification table and the bounce rules with their
 * reply tester, as two tabs. "Create a rule from this reply" in the table opens the rules tab with a new rule
 * prefilled. Both tabs stay mounted once opened, so an unsaved rules draft survives a look at the table.
 */
import { useState } from 'react';
import { Tabs } from '../../components/Tabs';
import { BounceRulesTab } from './BounceRulesTab';
import type { ReplySource } from './bounce-rules-model';
import { QualificationTab } from './QualificationTab';
import '../rules/rules.css';
import './bounces.css';

type TabId = 'replies' | 'rules';

const TABS = [
  { id: 'replies', label: 'Delivery log qualification' },
  { id: 'rules', label: 'Rules' },
] as const;

export function QualificationPage() {
  const [tab, setTab] = useState<TabId>('replies');
  const [visited, setVisited] = useState<ReadonlySet<TabId>>(() => new Set<TabId>(['replies']));
  const [fromReply, setFromReply] = useState<ReplySource | null>(null);
  const open = (id: TabId) => {
    setTab(id);
    setVisited((v) => (v.has(id) ? v : new Set([...v, id])));
  };

  return (
    <div className="page" data-testid="qualification-page">
      <header className="page-header">
        <div className="min-w-0">
          <h1 className="page-title">Bounce qualification</h1>
          <p className="page-subtitle">
            How failure replies are qualified: a bounce class, a failure reason and a type for each reply.
            Requalify what the rules got wrong, or write a rule; changes apply at once, without a restart.
          </p>
        </div>
      </header>
      <Tabs items={TABS} value={tab} onChange={open} label="Bounce qualification" idPrefix="qualification" />
      <div
        id="qualification-panel"
        role="tabpanel"
        aria-labelledby={`qualification-tab-${tab}`}
        className="qualification-tabs"
      >
        {visited.has('replies') && (
          <div hidden={tab !== 'replies'}>
            <QualificationTab
              onCreateRule={(source) => {
                setFromReply(source);
                open('rules');
              }}
            />
          </div>
        )}
        {visited.has('rules') && (
          <div hidden={tab !== 'rules'}>
            <BounceRulesTab fromReply={fromReply} />
          </div>
        )}
      </div>
    </div>
  );
}

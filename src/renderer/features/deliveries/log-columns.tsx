import type { LogRow } from '../../../shared/contract';
import { FAILURE_TYPE_LABELS, REASONS } from '../../../shared/domain/reasons';
import { StatusBadge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { formatCount, formatTimestamp } from '../../components/format';

export const LOG_COLUMNS: readonly Column<LogRow>[] = [
  {
    id: 'email',
    header: 'Email',
    width: 'minmax(160px, 2fr)',
    sortKey: 'email',
    render: (r) => <span className="truncate">{r.email}</span>,
    title: (r) => r.email,
  },
  {
    id: 'status',
    header: 'Status',
    width: '176px',
    sortKey: 'status',
    render: (r) => <StatusBadge status={r.status} short />,
  },
  {
    id: 'type',
    header: 'Type',
    width: '84px',
    render: (r) => (r.failureType ? FAILURE_TYPE_LABELS[r.failureType] : <span className="muted">—</span>),
  },
  {
    id: 'reason',
    header: 'Reason',
    width: 'minmax(96px, 1fr)',
    render: (r) =>
      r.reason ? (
        <span className="truncate">{REASONS[r.reason].label}</span>
      ) : (
        <span className="muted">—</span>
      ),
    title: (r) => (r.reason ? REASONS[r.reason].label : undefined),
  },
  {
    id: 'attempts',
    header: 'Attempts',
    width: '104px',
    align: 'end',
    sortKey: 'attempts',
    render: (r) => <span className="num">{formatCount(r.attempts)}</span>,
  },
  {
    id: 'lastAttemptAt',
    header: 'Last attempt',
    width: '188px',
    sortKey: 'lastAttemptAt',
    render: (r) => <span className="num">{formatTimestamp(r.lastAttemptAt)}</span>,
  },
  {
    id: 'lastReply',
    header: 'Last reply',
    width: 'minmax(120px, 3fr)',
    render: (r) =>
      r.lastReply ? (
        <span className="truncate mono small">{r.lastReply}</span>
      ) : (
        <span className="muted">—</span>
      ),
    title: (r) => r.lastReply ?? undefined,
  },
  {
    id: 'mxHost',
    header: 'MX host',
    width: 'minmax(96px, 1fr)',
    render: (r) =>
      r.mxHost ? <span className="truncate mono small">{r.mxHost}</span> : <span className="muted">—</span>,
    title: (r) => r.mxHost ?? undefined,
  },
  {
    id: 'dkim',
    header: 'DKIM',
    width: 'minmax(120px, 1.2fr)',
    // d= of the last message sent; "unsigned" once one left without a signature; nothing before a send.
    render: (r) =>
      r.dkimDomain ? (
        <span className="truncate mono small">{r.dkimDomain}</span>
      ) : r.attempts > 0 ? (
        <span className="muted">unsigned</span>
      ) : (
        <span className="muted">—</span>
      ),
    title: (r) =>
      r.dkimDomain
        ? `Signed by ${r.dkimDomain} (d=)`
        : r.attempts > 0
          ? 'Sent without a DKIM signature'
          : undefined,
  },
];

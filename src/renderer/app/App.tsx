import type { ReactNode } from 'react';
import { useQuery } from '../api/hooks';
import { EmptyState } from '../components/EmptyState';
import { DeliveriesPage } from '../features/deliveries/DeliveriesPage';
import { DeliveryDetailPage } from '../features/deliveries/DeliveryDetailPage';
import { NewDeliveryPage } from '../features/deliveries/NewDeliveryPage';
import { DestinationsPage } from '../features/destinations/DestinationsPage';
import { QualificationPage } from '../features/bounces/QualificationPage';
import { DkimPage } from '../features/dkim/DkimPage';
import { InmailPage } from '../features/inmail/InmailPage';
import { QuarantinePage } from '../features/quarantine/QuarantinePage';
import { ReportPage } from '../features/reports/ReportPage';
import { RulesPage } from '../features/rules/RulesPage';
import { ComparisonPage } from '../features/simulator/ComparisonPage';
import { ComparisonReportPage } from '../features/simulator/ComparisonReportPage';
import { ProfilesPage } from '../features/simulator/ProfilesPage';
import { SimulationsPage } from '../features/simulator/SimulationsPage';
import { ConnectionBanner } from './ConnectionBanner';
import { paths, useRoute, type Route } from './router';
import { useTheme, type ThemePreference } from './theme';

const THEME_LABEL: Record<ThemePreference, string> = {
  system: 'Theme: system',
  light: 'Theme: light',
  dark: 'Theme: dark',
};

export function App() {
  const route = useRoute();
  const info = useQuery('app.info', {});
  const theme = useTheme();
  const transport = info.data?.transport;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Relaydeck
        </div>
        {transport && (
          <span
            className="chip"
            data-testid="transport-badge"
            title={
              transport === 'ipc'
                ? 'Desktop app (Electron IPC)'
                : 'Browser console (HTTP + WebSocket on 127.0.0.1)'
            }
          >
            {transport === 'ipc' ? 'Desktop' : 'Browser'}
          </span>
        )}
        {info.data && (
          <span className="topbar-meta" title={`Data directory: ${info.data.dataDir}`} data-testid="data-dir">
            <span className="muted">Data</span> <code>{info.data.dataDir}</code>
          </span>
        )}
        {info.data && (
          <span className="topbar-meta" data-testid="sandbox-status">
            <span
              className={info.data.sandbox.running ? 'status-dot is-on' : 'status-dot'}
              aria-hidden="true"
            />
            Sandbox {info.data.sandbox.running ? `on :${info.data.sandbox.port ?? '?'}` : 'off'}
          </span>
        )}
        <span className="topbar-spacer" />
        {info.data && <span className="muted topbar-version">v{info.data.version}</span>}
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={theme.cycle}
          data-testid="theme-toggle"
          title="Switch between system, light and dark themes"
        >
          {THEME_LABEL[theme.preference]}
        </button>
      </header>
      <nav className="sidenav" aria-label="Main">
        <NavSection title="Campaigns">
          <NavLink
            href={paths.deliveries()}
            active={
              route.name === 'deliveries' || route.name === 'delivery' || route.name === 'delivery-report'
            }
            testId="nav-deliveries"
          >
            Deliveries
          </NavLink>
          <NavLink
            href={paths.newDelivery()}
            active={route.name === 'new-delivery'}
            testId="nav-new-delivery"
          >
            New delivery
          </NavLink>
        </NavSection>
        <NavSection title="Deliverability">
          <NavLink
            href={paths.qualification()}
            active={route.name === 'qualification'}
            testId="nav-qualification"
          >
            Qualification
          </NavLink>
          <NavLink href={paths.quarantine()} active={route.name === 'quarantine'} testId="nav-quarantine">
            Quarantine
          </NavLink>
          <NavLink href={paths.inmail()} active={route.name === 'inmail'} testId="nav-inmail">
            Inbound mail
          </NavLink>
        </NavSection>
        <NavSection title="MTA">
          <NavLink href={paths.rules()} active={route.name === 'rules'} testId="nav-rules">
            MX rules
          </NavLink>
          <NavLink
            href={paths.destinations()}
            active={route.name === 'destinations'}
            testId="nav-destinations"
          >
            Destinations
          </NavLink>
          <NavLink href={paths.dkim()} active={route.name === 'dkim'} testId="nav-dkim">
            DKIM keys
          </NavLink>
        </NavSection>
        <NavSection title="Simulator">
          <NavLink
            href={paths.simulations()}
            active={
              route.name === 'simulations' ||
              route.name === 'simulation' ||
              route.name === 'simulation-report'
            }
            testId="nav-simulations"
          >
            Simulations
          </NavLink>
          <NavLink
            href={paths.simulatorProfiles()}
            active={route.name === 'simulator-profiles'}
            testId="nav-simulator-profiles"
          >
            Provider profiles
          </NavLink>
        </NavSection>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <ConnectionBanner />
        <Screen route={route} />
      </main>
    </div>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'deliveries':
      return <DeliveriesPage />;
    case 'new-delivery':
      return <NewDeliveryPage />;
    case 'delivery':
      return <DeliveryDetailPage key={route.id} id={route.id} />;
    case 'delivery-report':
      return <ReportPage key={`${route.id}/${route.kind}`} id={route.id} kind={route.kind} />;
    case 'rules':
      return <RulesPage />;
    case 'destinations':
      return <DestinationsPage />;
    case 'dkim':
      return <DkimPage />;
    case 'qualification':
      return <QualificationPage />;
    case 'quarantine':
      return <QuarantinePage />;
    case 'inmail':
      return <InmailPage key={route.open ?? ''} open={route.open} />;
    case 'simulations':
      return <SimulationsPage />;
    case 'simulator-profiles':
      return <ProfilesPage />;
    case 'simulation':
      return <ComparisonPage key={route.id} id={route.id} />;
    case 'simulation-report':
      return <ComparisonReportPage key={route.id} id={route.id} />;
    case 'not-found':
      return (
        <EmptyState
          title="Nothing here"
          body={
            <>
              No screen at <code>{route.path}</code>.
            </>
          }
          action={<a href={paths.deliveries()}>Go to deliveries</a>}
        />
      );
  }
}

function NavSection({ title, children }: { title: string; children: ReactNode }) {
  const id = `nav-section-${title.toLowerCase()}`;
  return (
    <div className="nav-section" role="group" aria-labelledby={id}>
      <div className="nav-section-title" id={id}>
        {title}
      </div>
      {children}
    </div>
  );
}

function NavLink({
  href,
  active,
  testId,
  children,
}: {
  href: string;
  active: boolean;
  testId: string;
  children: string;
}) {
  return (
    <a
      href={href}
      className={active ? 'navlink is-active' : 'navlink'}
      aria-current={active ? 'page' : undefined}
      data-testid={testId}
    >
      {children}
    </a>
  );
}

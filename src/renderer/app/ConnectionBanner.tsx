import { useConnection, useConnectionMonitor } from '../api/connection';
import { Button } from '../components/Button';

/**
 * The app shell's "lost connection" banner: shown while the main process does not answer (the server
 * stopped, the network to it failed); the monitor reconnects by itself (with a backoff), and every screen
 * refetches when it is back. A restarted `relaydeck serve` keeps its URL, so this tab finds it again.
 */
export function ConnectionBanner() {
  const { online, tries = 0 } = useConnection();
  const monitor = useConnectionMonitor();
  if (online) return null;
  return (
    <div className="banner banner-amber connection-banner" role="alert" data-testid="connection-banner">
      <div className="banner-body">
        <div className="banner-title" data-testid="connection-reconnecting">
          Lost connection to Relaydeck — reconnecting…
        </div>
        <div>
          The console cannot reach its server (stopped or restarting). The figures on screen may be out of
          date; they refresh as soon as the connection is back.
          {tries > 0 ? ` Tried ${tries} time${tries === 1 ? '' : 's'} so far; trying again by itself.` : ''}
        </div>
      </div>
      <div className="banner-action">
        <Button onClick={() => monitor.retryNow()} testId="connection-retry">
          Retry now
        </Button>
      </div>
    </div>
  );
}

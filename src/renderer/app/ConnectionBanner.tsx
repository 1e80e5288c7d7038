import { useConnection, useConnectionMonitor } from '../api/connection';
import { Button } from '../components/Button';

/**
 * The app shell's "lost connection" banner: shown while the main process does not answer (the server
 * stopped, the network to it failed); the monitor retries by itself, and every screen refetches when it is
 * back.
 */
export function ConnectionBanner() {
  const { online } = useConnection();
  const monitor = useConnectionMonitor();
  if (online) return null;
  return (
    <div className="banner banner-amber connection-banner" role="alert" data-testid="connection-banner">
      <div className="banner-body">
        <div className="banner-title">Lost connection to Relaydeck — retrying…</div>
        <div>
          The console cannot reach its server. The figures on screen may be out of date; they refresh as soon
          as the connection is back.
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

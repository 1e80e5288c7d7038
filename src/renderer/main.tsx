import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { ClientProvider } from './api/client-context';
import { ConnectionContext } from './api/connection';
import { connect } from './api/transport';
import { MissingToken } from './app/MissingToken';
import { applyStoredTheme } from './app/theme';
import './styles/tokens.css';
import './styles/base.css';
import './styles/components.css';
import './styles/layout.css';

applyStoredTheme();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const connection = connect(window);
// Keep the push-event channel open for the whole session: screens subscribe and unsubscribe as they mount, and
// the client closes its socket when nobody listens, which would drop invalidations between two screens.
if (connection.ok) connection.client.on('delivery.changed', () => undefined);
createRoot(root).render(
  <StrictMode>
    {connection.ok ? (
      <ConnectionContext.Provider value={connection.monitor}>
        <ClientProvider client={connection.client}>
          <App />
        </ClientProvider>
      </ConnectionContext.Provider>
    ) : (
      <MissingToken />
    )}
  </StrictMode>,
);

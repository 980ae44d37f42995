import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useAuth } from './use-auth.js';
import { ServerStateSync } from './query.js';
import { matchRoute, useLocation } from './router.js';
import { LoginPage } from './pages/LoginPage.js';
import { InvitePage } from './pages/InvitePage.js';
import { ProjectsPage } from './pages/ProjectsPage.js';
import { ProjectPage } from './pages/ProjectPage.js';
import { SettingsPage } from './pages/SettingsPage.js';
import { ProjectSettingsPage } from './pages/ProjectSettingsPage.js';
import { ExperimentPage } from './experiment/ExperimentPage.js';
import { ComparePage } from './compare/ComparePage.js';
import { CiWizardPage } from './ci/CiWizardPage.js';
import { TrendsPage } from './trends/TrendsPage.js';
import { AuditPage } from './account/AuditPage.js';
import { DeviceLoginPage } from './account/DeviceLoginPage.js';
import { Shell } from './ui/Shell.js';
import { ErrorState } from './ui/States.js';
import { assertNever } from '../../src/contracts/errors.js';
import type { Route } from './router.js';
import type { Me } from '../../src/contracts/api.js';

function Page({ route }: { route: Exclude<Route, { page: 'login' | 'invite' }> }) {
  switch (route.page) {
    case 'projects':
      return <ProjectsPage />;
    case 'project':
      return <ProjectPage name={route.name} />;
    case 'project-settings':
      return <ProjectSettingsPage name={route.name} />;
    case 'experiment':
      return <ExperimentPage project={route.name} name={route.exp} />;
    case 'ci-wizard':
      return <CiWizardPage project={route.project} />;
    case 'compare':
      return <ComparePage name={route.name} revs={route.revs} />;
    case 'trends':
      return <TrendsPage name={route.name} />;
    case 'settings':
      return <SettingsPage />;
    case 'audit':
      return <AuditPage />;
    case 'device-login':
      return <DeviceLoginPage code={route.code} />;
    case 'not-found':
      return <ErrorState title="Page not found" message="There is nothing at this address." />;
    default:
      return assertNever(route);
  }
}

export function App() {
  const { auth, setMe, retry } = useAuth();
  const route = matchRoute(useLocation());
  const onLogin = (me: Me) => setMe(me);
  const client = useQueryClient();
  // Nothing one person's session loaded is shown to whoever signs in next in this tab.
  const signedIn = auth.state === 'signed-in' ? auth.me.user : null;
  useEffect(() => {
    if (!signedIn) client.clear();
  }, [client, signedIn]);

  if (route.page === 'login') return <LoginPage code={route.code} onLogin={onLogin} />;
  if (route.page === 'invite') return <InvitePage token={route.token} onLogin={onLogin} />;
  switch (auth.state) {
    case 'loading':
      return <div className="boot" aria-busy="true" />;
    case 'anonymous':
      return <LoginPage code={null} onLogin={onLogin} />;
    case 'error':
      return <ErrorState title="Kiln is not reachable" error={auth.error} onRetry={retry} />;
    case 'signed-in':
      return (
        <Shell me={auth.me} onLogout={() => setMe(null)}>
          <ServerStateSync />
          <Page route={route} />
        </Shell>
      );
    default:
      return assertNever(auth);
  }
}

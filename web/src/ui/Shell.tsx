import type { ReactNode } from 'react';
import type { Me } from '../../../src/contracts/api.js';
import { api } from '../api.js';
import { navigate, useLocation } from '../router.js';
import { Link } from './Link.js';
import { MeContext } from '../me-context.js';

export function Shell({ me, onLogout, children }: { me: Me; onLogout: () => void; children: ReactNode }) {
  const path = useLocation().pathname;
  const logout = () => {
    api.logout().finally(() => {
      onLogout();
      navigate('/');
    });
  };
  const tab = (to: string, label: string, active: boolean) => (
    <Link to={to} className={active ? 'nav-link active' : 'nav-link'}>
      {label}
    </Link>
  );
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark" />
          Kiln
        </Link>
        <nav className="nav">
          {tab('/', 'Projects', path === '/' || path.startsWith('/projects'))}
          {tab('/settings', 'Settings', path === '/settings')}
        </nav>
        <div className="topbar-user">
          <span className="muted">{me.user}</span>
          <button className="btn btn-ghost btn-sm" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main className="main">
        <MeContext.Provider value={me}>{children}</MeContext.Provider>
      </main>
    </div>
  );
}

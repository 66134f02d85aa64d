import { useCallback, useContext, useEffect, useState } from 'react';
import {
  Body1,
  Button,
  Caption1,
  Card,
  Field,
  FluentProvider,
  Link,
  Spinner,
  Textarea,
  Title1,
  makeStyles,
  tokens,
  webLightTheme,
  type Theme,
} from '@fluentui/react-components';
import { setBearer, message } from './api';
import {
  beginOidcSignIn,
  completeOidcSignIn,
  forgetToken,
  loadConfig,
  openSession,
  storedToken,
  type AdminCenterConfig,
  type Session,
} from './auth';
import { ErrorBar } from './components';
import { navigate, usePath } from './router';
import { SessionContext } from './session';
import { HomePage } from './pages/Home';
import { DeviceDetailPage, DevicesPage } from './pages/Devices';
import { PoliciesPage, PolicyDetailPage, PolicyEditPage } from './pages/Policies';
import { GroupDetailPage, GroupsPage } from './pages/Groups';
import { EnrollmentPage } from './pages/Enrollment';
import { TenantSettingsPage } from './pages/TenantSettings';
import { RolesPage } from './pages/Roles';
import { AuditPage } from './pages/Audit';

// Fonts are bundled (Open Sans from @fontsource), never fetched from a font service.
const theme: Theme = { ...webLightTheme, fontFamilyBase: '"Open Sans", "Segoe UI", -apple-system, sans-serif' };

const useStyles = makeStyles({
  shell: { display: 'grid', gridTemplateRows: '48px 1fr', gridTemplateColumns: '220px 1fr', minHeight: '100vh' },
  header: {
    gridColumn: '1 / 3',
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalL,
    padding: `0 ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, flexGrow: 1 },
  nav: { backgroundColor: tokens.colorNeutralBackground2, padding: tokens.spacingVerticalM, display: 'flex', flexDirection: 'column', gap: '2px' },
  navLink: {
    display: 'block',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
    textDecoration: 'none',
    ':hover': { backgroundColor: tokens.colorNeutralBackground2Hover },
  },
  navActive: { backgroundColor: tokens.colorNeutralBackground1Selected, fontWeight: tokens.fontWeightSemibold },
  main: { padding: tokens.spacingHorizontalXXL, overflow: 'auto' },
  signIn: { maxWidth: '560px', margin: '10vh auto', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, padding: tokens.spacingHorizontalXXL },
  skip: { position: 'absolute', left: '-10000px', ':focus': { left: '8px', top: '8px', zIndex: 10, background: 'white', padding: '4px' } },
});

const sections: [string, string][] = [
  ['/', 'Home'],
  ['/devices', 'Devices'],
  ['/compliance-policies', 'Compliance policies'],
  ['/configuration-profiles', 'Configuration profiles'],
  ['/groups', 'Groups'],
  ['/enrollment', 'Enrollment'],
  ['/tenant-settings', 'Tenant compliance settings'],
  ['/roles', 'Roles'],
  ['/audit', 'Audit log'],
];

export function App() {
  const [config, setConfig] = useState<AdminCenterConfig | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(true);

  const signOut = useCallback(() => {
    forgetToken();
    setBearer(null);
    setSession(null);
  }, []);

  const signIn = useCallback(
    async (token: string) => {
      const opened = await openSession(token.trim());
      setBearer(opened.token, () => {
        signOut();
        setError('Your session has expired or the token was rejected; sign in again.');
      });
      setSession(opened);
    },
    [signOut],
  );

  useEffect(() => {
    (async () => {
      try {
        const loaded = await loadConfig();
        setConfig(loaded);
        if (loaded.mode === 'production' && loaded.oidc && location.pathname === loaded.oidc.redirectPath) {
          await signIn(await completeOidcSignIn(loaded.oidc));
        } else if (storedToken()) {
          await signIn(storedToken()!).catch(() => forgetToken());
        }
      } catch (e) {
        setError(message(e));
      } finally {
        setStarting(false);
      }
    })();
  }, [signIn]);

  return (
    <FluentProvider theme={theme} style={{ minHeight: '100vh' }}>
      {starting ? (
        <Spinner label="Starting the admin center" style={{ marginTop: '20vh' }} />
      ) : session ? (
        <SessionContext.Provider value={session}>
          <Shell onSignOut={signOut} />
        </SessionContext.Provider>
      ) : (
        <SignIn config={config} error={error} onSignIn={signIn} />
      )}
    </FluentProvider>
  );
}

function SignIn({ config, error, onSignIn }: { config: AdminCenterConfig | null; error: string | null; onSignIn: (token: string) => Promise<void> }) {
  const styles = useStyles();
  const [token, setToken] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Sign in - Intune admin center';
  }, []);

  const submit = async (run: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    try {
      await run();
    } catch (e) {
      setFailure(message(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main>
      <Card className={styles.signIn}>
        <Title1 as="h1">Intune admin center</Title1>
        <ErrorBar error={failure ?? error} title="Sign-in failed" />
        {config?.mode === 'development' && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              submit(() => onSignIn(token));
            }}
            style={{ display: 'flex', flexDirection: 'column', gap: 12 }}
          >
            <Body1>
              Development sign-in: paste an admin token. <code>./build.sh --target=Run</code> prints one; <code>intune-ops token --tenant &lt;id&gt; --role "Read Only Operator"</code> makes others.
            </Body1>
            <Field label="Admin token" required>
              <Textarea value={token} onChange={(_, d) => setToken(d.value)} resize="vertical" rows={5} name="token" />
            </Field>
            <Button appearance="primary" type="submit" disabled={busy || !token.trim()}>
              {busy ? 'Signing in…' : 'Sign in'}
            </Button>
          </form>
        )}
        {config?.mode === 'production' &&
          (config.oidc ? (
            <>
              <Body1>Sign in with your organisation's account ({config.oidc.authority}).</Body1>
              <Button appearance="primary" disabled={busy} onClick={() => submit(() => beginOidcSignIn(config.oidc!))}>
                Sign in
              </Button>
            </>
          ) : (
            <ErrorBar title="Sign-in is not configured" error="This gateway validates tokens from an OIDC authority but names no AdminCenter:ClientId; see the README's admin center section." />
          ))}
        <Caption1>Development tokens are refused when the gateway runs with an OIDC authority.</Caption1>
      </Card>
    </main>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const styles = useStyles();
  const path = usePath();
  const section = sections.filter(([p]) => (p === '/' ? path === '/' : path.startsWith(p))).pop()?.[0];
  return (
    <div className={styles.shell}>
      <a href="#main" className={styles.skip}>
        Skip to content
      </a>
      <header className={styles.header}>
        <span className={styles.brand}>Intune admin center</span>
        <SessionBadge />
        <Button appearance="primary" onClick={onSignOut}>
          Sign out
        </Button>
      </header>
      <nav className={styles.nav} aria-label="Sections">
        {sections.map(([p, label]) => (
          <a
            key={p}
            href={p}
            className={`${styles.navLink} ${section === p ? styles.navActive : ''}`}
            aria-current={section === p ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(p);
            }}
          >
            {label}
          </a>
        ))}
        <Caption1 style={{ padding: 12 }}>Apps and app protection arrive with the apps API.</Caption1>
      </nav>
      <main id="main" className={styles.main} tabIndex={-1}>
        <Route path={path} />
      </main>
    </div>
  );
}

function SessionBadge() {
  const session = useSessionOrNull();
  if (!session) return null;
  return (
    <span data-testid="signed-in-as">
      {session.userPrincipalName ?? 'signed in'} · {session.roles.join(', ') || 'no role'} · tenant {session.tenantId}
    </span>
  );
}

const useSessionOrNull = () => useContext(SessionContext);

function Route({ path }: { path: string }) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case undefined:
      return <HomePage />;
    case 'devices':
      return parts[1] ? <DeviceDetailPage id={parts[1]} /> : <DevicesPage />;
    case 'compliance-policies':
    case 'configuration-profiles': {
      const kind = parts[0] === 'compliance-policies' ? 'compliance' : 'configuration';
      if (parts[1] === 'new') return <PolicyEditPage kind={kind} />;
      if (parts[1] && parts[2] === 'edit') return <PolicyEditPage kind={kind} id={parts[1]} />;
      return parts[1] ? <PolicyDetailPage kind={kind} id={parts[1]} /> : <PoliciesPage kind={kind} />;
    }
    case 'groups':
      return parts[1] ? <GroupDetailPage id={parts[1]} /> : <GroupsPage />;
    case 'enrollment':
      return <EnrollmentPage />;
    case 'tenant-settings':
      return <TenantSettingsPage />;
    case 'roles':
      return <RolesPage />;
    case 'audit':
      return <AuditPage />;
    default:
      return (
        <Body1>
          No page at {path}. <Link href="/" onClick={(e) => { e.preventDefault(); navigate('/'); }}>Go home</Link>
        </Body1>
      );
  }
}

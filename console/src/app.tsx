/** The shell: sign-in gate, navigation by permission, one screen per route. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { Loading } from './components/status';
import { can, type Me } from './me';
import { href, useRoute } from './router';
import { Admin } from './screens/admin';
import { DeploymentDetail } from './screens/deployment-detail';
import { Deployments } from './screens/deployments';
import { Inbox } from './screens/inbox';
import { InstanceDetail } from './screens/instance-detail';
import { Instances } from './screens/instances';
import { JobDetail } from './screens/job-detail';
import { Jobs } from './screens/jobs';
import { SignIn } from './screens/sign-in';
import { TaskDetail } from './screens/task-detail';
import { clearToken, readToken } from './session';

const SECTIONS = [
  { section: 'tasks', label: 'Inbox', permission: 'view:own' },
  { section: 'instances', label: 'Process instances', permission: 'view:own' },
  { section: 'jobs', label: 'Jobs', permission: 'view:own' },
  { section: 'deployments', label: 'Deployments', permission: 'view:own' },
  { section: 'admin', label: 'Administration', permission: 'users:manage' },
];

function Screen({ me }: { me: Me }) {
  const { section, id } = useRoute();
  switch (section) {
    case 'tasks':
      return id ? <TaskDetail id={id} me={me} /> : <Inbox me={me} />;
    case 'instances':
      return id ? <InstanceDetail id={id} me={me} /> : <Instances />;
    case 'jobs':
      return id ? <JobDetail id={id} me={me} /> : <Jobs />;
    case 'deployments':
      return id ? <DeploymentDetail id={id} me={me} /> : <Deployments />;
    case 'admin':
      return <Admin me={me} />;
    default:
      return <p>Nothing here. Choose a section above.</p>;
  }
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(Boolean(readToken()));
  const route = useRoute();
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!readToken()) return;
    api.get<Me>('/api/me').then(setMe, () => clearToken()).finally(() => setChecking(false));
  }, []);
  // After navigation, move focus to the new screen so keyboard and screen-reader users start there.
  useEffect(() => main.current?.focus(), [route.section, route.id]);

  if (checking) return <Loading />;
  if (!me) return <SignIn onSignedIn={setMe} />;
  const signOut = () => {
    clearToken();
    setMe(null);
    location.hash = '';
  };
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Stagegate</span>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.filter((s) => can(me, s.permission)).map((s) => (
              <li key={s.section}>
                <a href={href(s.section)} aria-current={route.section === s.section ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            Signed in as <strong data-testid="me">{me.name}</strong> ({me.roles.join(', ')})
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Screen me={me} />
      </main>
    </>
  );
}

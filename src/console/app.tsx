/** The console's frame: top bar (account, region, live status, mode), side navigation, and the page of the URL. */
import { Suspense, useState } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import AppLayout from '@cloudscape-design/components/app-layout';
import Box from '@cloudscape-design/components/box';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import Spinner from '@cloudscape-design/components/spinner';
import TopNavigation from '@cloudscape-design/components/top-navigation';
import { useFollow } from './components/page.tsx';
import { useLiveStatus } from './live.ts';
import { navigation, routes } from './routes.tsx';
import { REGIONS, signOut, switchProfile, switchRegion, useSession } from './session.ts';
import { SignIn } from './sign-in.tsx';
import { initialMode, Mode, setMode } from './theme.ts';

export function App() {
  const session = useSession();
  const [mode, setModeState] = useState(initialMode);
  const [adding, setAdding] = useState(false);
  const live = useLiveStatus();
  const follow = useFollow();
  const location = useLocation();
  if (!session || adding) return <SignIn onCancel={session ? () => setAdding(false) : undefined} />;
  const profile = session.profiles[session.active];
  const toggleMode = () => {
    const next = mode === Mode.Dark ? Mode.Light : Mode.Dark;
    setMode(next);
    setModeState(next);
  };
  return (
    <>
      <div id="top-nav" style={{ position: 'sticky', top: 0, zIndex: 1002 }}>
        <TopNavigation
          identity={{ href: '/console/clusters', title: 'Wharf', onFollow: follow }}
          utilities={[
            { type: 'button', text: live ? 'Live' : 'Reconnecting…', iconName: live ? 'status-positive' : 'status-pending', ariaLabel: live ? 'Live updates on' : 'Live updates reconnecting' },
            { type: 'button', text: mode === Mode.Dark ? 'Light mode' : 'Dark mode', onClick: toggleMode, ariaLabel: 'Switch light or dark mode' },
            {
              type: 'menu-dropdown', text: session.region, description: 'Region', ariaLabel: `Region ${session.region}`,
              items: REGIONS.map((r) => ({ id: r, text: r, checked: r === session.region })),
              onItemClick: ({ detail }) => switchRegion(detail.id),
            },
            {
              type: 'menu-dropdown', text: `Account ${profile.account}`, description: profile.arn, iconName: 'user-profile', ariaLabel: `Account ${profile.account}`,
              items: [
                ...session.profiles.map((p, i) => ({ id: `profile-${i}`, text: `${p.account} — ${p.arn.slice(p.arn.indexOf(':', 13) + 1)}`, checked: i === session.active })),
                { id: 'add', text: 'Sign in to another account' },
                { id: 'sign-out', text: 'Sign out' },
              ],
              onItemClick: ({ detail }) => {
                if (detail.id === 'add') setAdding(true);
                else if (detail.id === 'sign-out') signOut();
                else switchProfile(Number(detail.id.slice('profile-'.length)));
              },
            },
          ]}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        toolsHide
        navigation={<SideNavigation header={{ text: 'Wharf', href: '/console/clusters' }} activeHref={`/console${location.pathname}`} items={navigation} onFollow={follow} />}
        content={
          <Suspense fallback={<Box textAlign="center" padding="xxl"><Spinner size="large" /></Box>}>
            <Routes>
              <Route path="/" element={<Navigate to="/clusters" replace />} />
              {routes.map(([path, Component]) => <Route key={path} path={path} element={<Component />} />)}
              <Route path="*" element={<Box padding="xxl">No page here. <a href="/console/clusters">Clusters</a></Box>} />
            </Routes>
          </Suspense>
        }
      />
    </>
  );
}

/** The window: a sidebar of screens, the current analysis, and the app-wide state the screens share. */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { DEFAULT_SETTINGS, type AppInfo, type CaseSummary, type Settings } from '../common/contract.ts';
import { caseAnalysis, liveAnalysis, type Analysis } from './analysis-state.ts';
import { errorMessage, signalAppEvent, unmask } from './api.ts';
import { connectBatchEvents } from './batch-state.ts';
import { Dialog } from './components/common.tsx';
import { AnalysisScreen } from './screens/analysis-screen.tsx';
import { BatchScreen } from './screens/batch-screen.tsx';
import { HomeScreen } from './screens/home-screen.tsx';
import { ReportsScreen } from './screens/reports-screen.tsx';
import { SettingsScreen } from './screens/settings-screen.tsx';
import { StudioScreen } from './screens/studio-screen.tsx';
import { isTextEntry, SHORTCUTS } from './shortcuts.ts';
import { connectStudioEvents } from './studio-state.ts';

export type ScreenName = 'home' | 'analysis' | 'batch' | 'studio' | 'reports' | 'settings';

const SCREENS: Array<{ name: ScreenName; label: string; icon: string }> = [
  { name: 'home', label: 'Home', icon: '⌂' },
  { name: 'analysis', label: 'Analysis', icon: '◉' },
  { name: 'batch', label: 'Batch', icon: '⇶' },
  { name: 'studio', label: 'Studio', icon: '✦' },
  { name: 'reports', label: 'Reports', icon: '▤' },
  { name: 'settings', label: 'Settings', icon: '⚙' },
];

const DISMISSED_KEY = 'unmask-consent-dismissed';

function loadDismissed(): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(DISMISSED_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

export function App() {
  const [screen, setScreen] = useState<ScreenName>('home');
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  const [cases, setCases] = useState<CaseSummary[] | null>(null);
  const [casesError, setCasesError] = useState<string | null>(null);
  const [analysis, setAnalysis] = useState<Analysis | null>(null);
  const [dismissed, setDismissed] = useState<Set<string>>(loadDismissed);
  const [reportCaseId, setReportCaseId] = useState<string | null>(null);
  const [startupError, setStartupError] = useState<string | null>(null);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const content = useRef<HTMLElement>(null);
  /** The path of a scan we asked for whose job id we have not seen yet (events can beat the reply). */
  const pendingPath = useRef<string | null>(null);
  /** The menu handler is subscribed once; it calls the latest chooseVideo through this. */
  const chooseVideoRef = useRef<() => Promise<void>>(async () => undefined);

  const refreshCases = useCallback(() => {
    unmask.listCases({}).then(
      (list) => {
        setCases(list);
        setCasesError(null);
      },
      (e: unknown) => setCasesError(errorMessage(e)),
    );
  }, []);

  useEffect(() => {
    Promise.all([unmask.getAppInfo({}), unmask.getSettings({})]).then(
      ([appInfo, saved]) => {
        setInfo(appInfo);
        setSettings(saved);
        signalAppEvent('app-ready', { shell: appInfo.shell });
      },
      (e: unknown) => setStartupError(errorMessage(e)),
    );
    refreshCases();
    const forJob = (jobId: string, update: (a: Analysis) => Analysis) =>
      setAnalysis((a) => (a && a.jobId === jobId ? update(a) : a));
    const off = [
      unmask.on('scan-started', ({ jobId, path }) => {
        if (pendingPath.current !== path) return;
        pendingPath.current = null;
        setAnalysis((a) => (a && a.jobId === null && a.path === path ? { ...a, jobId } : a));
      }),
      unmask.on('scan-probed', ({ jobId, displayWidth, displayHeight, durationSec }) =>
        forJob(jobId, (a) => ({ ...a, displayWidth, displayHeight, durationSec })),
      ),
      unmask.on('scan-progress', ({ jobId, ...progress }) => forJob(jobId, (a) => ({ ...a, progress }))),
      unmask.on('scan-frame', ({ jobId, frame }) =>
        forJob(jobId, (a) => ({ ...a, frames: [...a.frames, frame] })),
      ),
      unmask.on('scan-tracks', ({ jobId, tracks }) => forJob(jobId, (a) => ({ ...a, liveTracks: tracks }))),
      unmask.on('scan-finished', ({ jobId, caseId }) => {
        unmask.getCase({ caseId }).then(
          (detail) => {
            forJob(jobId, () => caseAnalysis(caseId, detail.scan, jobId));
            setReportCaseId(caseId);
            signalAppEvent('scan-finished', { caseId, verdict: detail.scan.verdict.label });
          },
          (e: unknown) =>
            forJob(jobId, (a) => ({
              ...a,
              status: 'failed',
              error: { code: 'internal', message: errorMessage(e), retryable: true },
            })),
        );
      }),
      unmask.on('scan-failed', ({ jobId, error }) => {
        forJob(jobId, (a) => ({ ...a, status: 'failed', error }));
        signalAppEvent('scan-failed', { code: error.code, message: error.message });
      }),
      unmask.on('scan-cancelled', ({ jobId }) => {
        forJob(jobId, (a) => ({ ...a, status: 'cancelled' }));
        signalAppEvent('scan-cancelled', { jobId });
      }),
      unmask.on('cases-changed', () => refreshCases()),
      unmask.on('menu-command', ({ command }) => {
        if (command === 'open-video') void chooseVideoRef.current();
        else setScreen(command.replace('show-', '') as ScreenName);
      }),
    ];
    off.push(connectStudioEvents(), connectBatchEvents());
    return () => off.forEach((unsubscribe) => unsubscribe());
  }, []);

  const startScan = useCallback(async (path: string) => {
    const fileName = path.split(/[\\/]/).pop() ?? path;
    pendingPath.current = path;
    setAnalysis({ ...liveAnalysis('', path, fileName), jobId: null });
    setScreen('analysis');
    try {
      const { jobId } = await unmask.startScan({ path });
      setAnalysis((a) =>
        a && a.path === path && (a.jobId === null || a.jobId === jobId) ? { ...a, jobId } : a,
      );
      signalAppEvent('scan-started', { jobId, fileName, path });
    } catch (e) {
      pendingPath.current = null;
      const code = (e as { code?: string }).code ?? 'internal';
      setAnalysis((a) =>
        a && a.path === path
          ? { ...a, status: 'failed', error: { code, message: errorMessage(e), retryable: false } }
          : a,
      );
      signalAppEvent('scan-failed', { code, message: errorMessage(e) });
    }
  }, []);

  const chooseVideo = useCallback(async () => {
    try {
      const chosen = await unmask.chooseVideo({});
      if (chosen) await startScan(chosen.path);
    } catch (e) {
      setCasesError(null);
      setAnalysis({
        ...liveAnalysis('', '', 'Could not open the file'),
        jobId: null,
        status: 'failed',
        error: { code: 'internal', message: errorMessage(e), retryable: false },
      });
      setScreen('analysis');
    }
  }, [startScan]);

  chooseVideoRef.current = chooseVideo;

  const dropFile = useCallback(
    async (file: File) => {
      try {
        await startScan(await unmask.importFile(file));
      } catch (e) {
        setAnalysis({
          ...liveAnalysis('', '', file.name),
          jobId: null,
          status: 'failed',
          error: { code: 'internal', message: errorMessage(e), retryable: false },
        });
        setScreen('analysis');
      }
    },
    [startScan],
  );

  const openCase = useCallback(async (caseId: string) => {
    try {
      const detail = await unmask.getCase({ caseId });
      setAnalysis(caseAnalysis(caseId, detail.scan));
      setReportCaseId(caseId);
      setScreen('analysis');
      signalAppEvent('case-opened', { caseId });
    } catch (e) {
      setCasesError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    const key = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.key.toLowerCase() === 'o') {
        event.preventDefault();
        void chooseVideo();
      } else if (mod && /^[1-6]$/.test(event.key)) {
        event.preventDefault();
        setScreen(SCREENS[Number(event.key) - 1]!.name);
      } else if (event.key === '?' && !isTextEntry(event.target as HTMLElement | null)) {
        event.preventDefault();
        setShowShortcuts(true);
      }
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [chooseVideo]);

  // A new screen, or another video on Analysis, starts at the top (the content pane keeps its scroll otherwise).
  const analysisKey = analysis?.caseId ?? analysis?.path ?? '';
  useLayoutEffect(() => {
    content.current?.scrollTo({ top: 0 });
  }, [screen, analysisKey]);

  const consentKey = analysis?.caseId ?? analysis?.jobId ?? '';
  const dismissConsent = () => {
    const next = new Set(dismissed);
    next.add(consentKey);
    if (analysis?.jobId) next.add(analysis.jobId);
    setDismissed(next);
    localStorage.setItem(DISMISSED_KEY, JSON.stringify([...next]));
    signalAppEvent('consent-warning-dismissed', { key: consentKey });
  };
  const isDismissed = (a: Analysis | null) =>
    Boolean(a && ((a.caseId && dismissed.has(a.caseId)) || (a.jobId && dismissed.has(a.jobId))));

  const running = analysis?.status === 'running';
  return (
    <div class="shell">
      <nav class="sidebar" aria-label="Screens">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            ◐
          </span>
          <span>Unmask</span>
        </div>
        <ul>
          {SCREENS.map((s, i) => (
            <li key={s.name}>
              <button
                class={`nav-item${screen === s.name ? ' active' : ''}`}
                aria-current={screen === s.name ? 'page' : undefined}
                onClick={() => setScreen(s.name)}
                data-testid={`nav-${s.name}`}
                title={`${s.label} (Ctrl+${i + 1})`}
              >
                <span class="nav-icon" aria-hidden="true">
                  {s.icon}
                </span>
                {s.label}
                {s.name === 'analysis' && running && <span class="pulse" aria-label="scan running" />}
              </button>
            </li>
          ))}
        </ul>
        <div class="sidebar-foot muted small">
          {info ? `v${info.version || '0'} · ${info.shell === 'electron' ? 'desktop' : 'browser'}` : ''}
          <br />
          Offline · nothing leaves this computer
        </div>
      </nav>
      <main class="content" id="content" ref={content}>
        {startupError && (
          <div class="notice danger" role="alert">
            The app could not reach its engine: {startupError}
          </div>
        )}
        {screen === 'home' && (
          <HomeScreen
            cases={cases}
            maxUploadBytes={info?.maxUploadBytes}
            casesError={casesError}
            onChooseVideo={chooseVideo}
            onDropFile={dropFile}
            onOpenCase={openCase}
            onDeleteCase={(caseId) =>
              unmask.deleteCase({ caseId }).then(refreshCases, (e: unknown) => setCasesError(errorMessage(e)))
            }
          />
        )}
        {screen === 'analysis' && (
          <AnalysisScreen
            analysis={analysis}
            profile={settings.thresholdProfile}
            sampleFps={settings.sampleFps}
            consentDismissed={isDismissed(analysis)}
            onDismissConsent={dismissConsent}
            onCancel={() => analysis?.jobId && unmask.cancelScan({ jobId: analysis.jobId })}
            onRetry={() => analysis?.path && startScan(analysis.path)}
            onOpenAnother={chooseVideo}
            onShowShortcuts={() => setShowShortcuts(true)}
          />
        )}
        {screen === 'batch' && <BatchScreen onOpenCase={openCase} />}
        {screen === 'studio' && <StudioScreen />}
        {screen === 'reports' && (
          <ReportsScreen cases={cases} selectedCaseId={reportCaseId} onSelect={setReportCaseId} />
        )}
        {screen === 'settings' && (
          <SettingsScreen
            settings={settings}
            onSave={async (next) => {
              setSettings(await unmask.saveSettings(next));
              signalAppEvent('settings-saved');
            }}
          />
        )}
      </main>
      {showShortcuts && (
        <Dialog title="Keyboard shortcuts" onClose={() => setShowShortcuts(false)} testId="shortcuts">
          {SHORTCUTS.map(({ group, keys }) => (
            <section key={group} class="shortcut-group">
              <h3 class="section-title">{group}</h3>
              <dl class="shortcuts">
                {keys.map(({ keys: combo, what }) => (
                  <div key={what}>
                    <dt>
                      {combo.map((k) => (
                        <kbd key={k}>{k}</kbd>
                      ))}
                    </dt>
                    <dd>{what}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
          <div class="actions end">
            <button class="secondary" onClick={() => setShowShortcuts(false)} data-testid="close-shortcuts">
              Close
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

/** Settings: frame sampling, the threshold profile, and what the engine runs on (the doctor report). */
import { useEffect, useState } from 'preact/hooks';
import type { EngineInfo, Settings } from '../../common/contract.ts';
import { THRESHOLD_PROFILES, type ThresholdProfile } from '../../common/verdict.ts';
import { errorMessage, unmask } from '../api.ts';
import { ErrorState } from '../components/common.tsx';

interface Props {
  settings: Settings;
  onSave(settings: Settings): Promise<void>;
}

function Tool({ name, tool }: { name: string; tool: EngineInfo['ffmpeg'] }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>
        {'error' in tool ? (
          <span class="inline-error">missing — {tool.error}</span>
        ) : (
          <>
            {`${tool.version} (${tool.source}) · ${tool.path}`}
            {tool.warning && (
              <span class="inline-error" data-testid={`${name}-warning`}>
                <br />
                {tool.warning}
              </span>
            )}
          </>
        )}
      </dd>
    </div>
  );
}

export function SettingsScreen({ settings, onSave }: Props) {
  const [draft, setDraft] = useState(settings);
  const [saved, setSaved] = useState<string | null>(null);
  const [doctor, setDoctor] = useState<EngineInfo | null>(null);
  const [doctorError, setDoctorError] = useState<string | null>(null);
  useEffect(() => setDraft(settings), [settings]);
  useEffect(() => {
    unmask.getDoctorReport({}).then(setDoctor, (e: unknown) => setDoctorError(errorMessage(e)));
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    try {
      await onSave(draft);
      setSaved('Saved. New scans and reports use these settings.');
    } catch (e) {
      setSaved(`Not saved: ${errorMessage(e)}`);
    }
  };

  return (
    <section class="screen settings" aria-labelledby="settings-title" data-testid="settings-screen">
      <header class="screen-header">
        <div>
          <h1 id="settings-title">Settings</h1>
        </div>
      </header>
      <form class="panel form" onSubmit={save}>
        <h2 class="panel-title">Analysis</h2>
        <label class="field">
          <span>Frames sampled per second</span>
          <input
            type="number"
            min={0.5}
            max={30}
            step={0.5}
            value={draft.sampleFps}
            onInput={(e) => setDraft({ ...draft, sampleFps: Number(e.currentTarget.value) })}
            data-testid="setting-fps"
          />
          <small class="muted">
            More frames find short manipulations but take longer. 5 is a good default.
          </small>
        </label>
        <label class="field">
          <span>Stop after this many frames (0 = whole video)</span>
          <input
            type="number"
            min={0}
            step={1}
            value={draft.maxFrames}
            onInput={(e) =>
              setDraft({ ...draft, maxFrames: Math.max(0, Math.round(Number(e.currentTarget.value))) })
            }
          />
        </label>
        <fieldset class="field">
          <legend>Threshold profile</legend>
          {(Object.keys(THRESHOLD_PROFILES) as ThresholdProfile[]).map((key) => {
            const p = THRESHOLD_PROFILES[key];
            return (
              <label class="radio" key={key}>
                <input
                  type="radio"
                  name="profile"
                  value={key}
                  checked={draft.thresholdProfile === key}
                  onChange={() => setDraft({ ...draft, thresholdProfile: key })}
                />
                <span>
                  <strong>{p.label}</strong> — flag faces from {Math.round(p.flagAt * 100)}%, inconclusive
                  from {Math.round(p.inconclusiveBand[0] * 100)}%
                </span>
              </label>
            );
          })}
          <small class="muted">
            The profile changes what the player, timeline and frame chips highlight. The verdict, the person
            cards and the consent warning always use the standard bands (docs/detector.md).
          </small>
        </fieldset>
        <h2 class="panel-title">Reports</h2>
        <label class="field">
          <span>Analyst name (optional)</span>
          <input
            type="text"
            maxLength={120}
            value={draft.analystName}
            onInput={(e) => setDraft({ ...draft, analystName: e.currentTarget.value })}
            data-testid="setting-analyst"
          />
        </label>
        <label class="field">
          <span>Organisation (optional)</span>
          <input
            type="text"
            maxLength={120}
            value={draft.organisation}
            onInput={(e) => setDraft({ ...draft, organisation: e.currentTarget.value })}
            data-testid="setting-organisation"
          />
          <small class="muted">Printed on every page of the reports you export.</small>
        </label>
        <div class="actions">
          <button class="primary" type="submit" data-testid="save-settings">
            Save settings
          </button>
          {saved && <span role="status">{saved}</span>}
        </div>
      </form>
      <div class="panel" data-testid="doctor">
        <h2 class="panel-title">Engine</h2>
        {doctorError && <ErrorState title="Could not ask the engine" message={doctorError} />}
        {!doctor && !doctorError && <p class="muted">Asking the engine…</p>}
        {doctor && (
          <dl class="facts wide">
            <div>
              <dt>TensorFlow.js backend</dt>
              <dd>
                {'error' in doctor.tensorflow ? (
                  <span class="inline-error">none — {doctor.tensorflow.error}</span>
                ) : (
                  `${doctor.tensorflow.backend} (tfjs ${doctor.tensorflow.tfjsVersion})`
                )}
              </dd>
            </div>
            <Tool name="ffmpeg" tool={doctor.ffmpeg} />
            <Tool name="ffprobe" tool={doctor.ffprobe} />
            <div>
              <dt>Runtime</dt>
              <dd>
                Node {doctor.node} on {doctor.platform}
              </dd>
            </div>
            <div>
              <dt>Electron</dt>
              <dd>{doctor.electron.present ? 'present' : doctor.electron.detail}</dd>
            </div>
          </dl>
        )}
      </div>
    </section>
  );
}

/**
 * Studio: a consented face-swap demo. Pick identity A and B videos (or an existing project), attest consent,
 * train in an engine process with a live loss chart and preview grid (Stop saves a checkpoint; Resume carries
 * on), then render a swap or a reenactment and play the result, which is watermarked and labelled SYNTHETIC.
 * The host refuses training and rendering without the attestation, whatever the UI does.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  DEFAULT_TRAINING_OPTIONS,
  type ConsentAttestation,
  type SwapIdentity,
  type SwapProjectSummary,
  type TrainingOptions,
} from '../../common/contract.ts';
import { errorMessage, signalAppEvent, unmask } from '../api.ts';
import { Dialog, EmptyState, ErrorState, JobActions, ProgressBar } from '../components/common.tsx';
import { LossChart } from '../components/loss-chart.tsx';
import { useStore } from '../store.ts';
import {
  newRenderRun,
  newTrainingRun,
  refreshProjects,
  studioStore,
  type RenderRun,
} from '../studio-state.ts';

function basename(path: string) {
  return path.split(/[\\/]/).pop() ?? path;
}

const NEW_PROJECT = '';

/** A chosen video (or none) and the button that picks it. */
function VideoPick({
  title,
  path,
  onPick,
  testId,
}: {
  title: string;
  path: string | null;
  onPick(): void;
  testId: string;
}) {
  return (
    <div class="panel pick">
      <h2 class="panel-title">{title}</h2>
      {path ? <p class="file-chip">▶ {basename(path)}</p> : <p class="muted">No video chosen.</p>}
      <button class="secondary" onClick={onPick} data-testid={testId}>
        {path ? 'Change…' : 'Choose video…'}
      </button>
    </div>
  );
}

type NumericOption = Exclude<keyof TrainingOptions, 'model' | 'size'>;

const OPTION_FIELDS: Array<{ key: NumericOption; label: string; step?: number; newOnly?: boolean }> = [
  { key: 'steps', label: 'Steps this run' },
  { key: 'maxMinutes', label: 'Time limit (min, 0 = none)', step: 0.5 },
  { key: 'previewEvery', label: 'Preview every (steps)' },
  { key: 'workers', label: 'Threads (0 = all cores)' },
  { key: 'batchSize', label: 'Faces per step', newOnly: true },
  { key: 'extractFps', label: 'Frames sampled per second', step: 0.5, newOnly: true },
  { key: 'minFaces', label: 'Fewest faces per identity', newOnly: true },
];

function TrainingOptionsForm({
  options,
  isNew,
  disabled,
  onChange,
}: {
  options: TrainingOptions;
  isNew: boolean;
  disabled: boolean;
  onChange(next: TrainingOptions): void;
}) {
  return (
    <div class="option-grid">
      {isNew && (
        <label class="field">
          <span>Model</span>
          <select
            value={`${options.model}-${options.size}`}
            disabled={disabled}
            onChange={(e) => {
              const [model, size] = e.currentTarget.value.split('-');
              onChange({
                ...options,
                model: model as TrainingOptions['model'],
                size: Number(size) as 64 | 128,
              });
            }}
            data-testid="train-model"
          >
            <option value="template-64">Template, 64 px</option>
            <option value="template-128">Template, 128 px</option>
            <option value="unit-64">UNIT (shared latent), 64 px</option>
          </select>
        </label>
      )}
      {OPTION_FIELDS.filter((f) => isNew || !f.newOnly).map((field) => (
        <label class="field" key={field.key}>
          <span>{field.label}</span>
          <input
            type="number"
            min={0}
            step={field.step ?? 1}
            value={options[field.key]}
            disabled={disabled}
            onInput={(e) => {
              const value = Number(e.currentTarget.value);
              if (Number.isFinite(value)) onChange({ ...options, [field.key]: value });
            }}
            data-testid={`train-${field.key}`}
          />
        </label>
      ))}
    </div>
  );
}

/** The label a rendered file carries, shown next to its player: what the container itself declares. */
function SyntheticLabel({ result }: { result: NonNullable<RenderRun['result']> }) {
  const label = result.label;
  return (
    <div class="synthetic-label" data-testid="synthetic-label" data-ai-generated={String(label?.aiGenerated)}>
      <span class="badge tone-danger large">SYNTHETIC</span>
      <dl class="facts">
        <div>
          <dt>Container tag</dt>
          <dd>{label ? `${label.tag}=${label.value}` : 'missing'}</dd>
        </div>
        <div>
          <dt>Generator</dt>
          <dd>{label?.generator ?? '—'}</dd>
        </div>
        <div>
          <dt>Consent</dt>
          <dd>{label?.consent ?? '—'}</dd>
        </div>
        <div>
          <dt>Frames</dt>
          <dd>
            {result.changedFrames} of {result.frames} changed
          </dd>
        </div>
      </dl>
    </div>
  );
}

export function StudioScreen() {
  const { projects, projectsError, training, render } = useStore(studioStore);
  const [projectDir, setProjectDir] = useState<string>(NEW_PROJECT);
  const [identityA, setIdentityA] = useState<string | null>(null);
  const [identityB, setIdentityB] = useState<string | null>(null);
  const [consent, setConsent] = useState<ConsentAttestation | null>(null);
  const [options, setOptions] = useState<TrainingOptions>(DEFAULT_TRAINING_OPTIONS);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [renderMode, setRenderMode] = useState<'swap' | 'reenact'>('swap');
  const [renderIdentity, setRenderIdentity] = useState<SwapIdentity>('b');
  const [renderInput, setRenderInput] = useState<string | null>(null);
  const [renderOutput, setRenderOutput] = useState<string | null>(null);

  const trainingBusy = training?.status === 'running' || training?.status === 'stopping';
  const renderBusy = render?.status === 'running';
  const project: SwapProjectSummary | undefined = projects?.find((p) => p.dir === projectDir);
  const isNew = projectDir === NEW_PROJECT;
  useEffect(() => void refreshProjects(), []);
  // A run that created a project switches the screen to it when it ends.
  useEffect(() => {
    if (training?.status === 'finished' && training.projectDir && isNew) setProjectDir(training.projectDir);
  }, [training?.status]);

  const pick = async (set: (path: string) => void) => {
    try {
      const chosen = await unmask.chooseVideo({});
      if (chosen) set(chosen.path);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const train = async () => {
    setError(null);
    if (!consent) {
      signalAppEvent('training-refused', { reason: 'no-consent' });
      setDialogOpen(true);
      return;
    }
    studioStore.update((s) => ({ ...s, training: newTrainingRun(isNew ? null : projectDir) }));
    try {
      const started = await unmask.startTraining(
        isNew
          ? { identityA: identityA!, identityB: identityB!, consent, options }
          : { projectDir, consent, options },
      );
      studioStore.update((s) => ({
        ...s,
        training: s.training && { ...s.training, jobId: started.jobId, projectDir: started.projectDir },
      }));
      signalAppEvent('train-started', started);
    } catch (e) {
      studioStore.update((s) => ({ ...s, training: null }));
      setError(errorMessage(e));
      signalAppEvent('training-refused', { reason: errorMessage(e) });
    }
  };

  const stop = async () => {
    if (!training?.jobId) return;
    studioStore.update((s) => ({ ...s, training: s.training && { ...s.training, status: 'stopping' } }));
    await unmask.stopTraining({ jobId: training.jobId });
  };

  const chooseOutput = async () => {
    try {
      const name = `${project?.name ?? 'render'}-${renderMode}-to-${renderIdentity}.mp4`;
      const chosen = await unmask.chooseOutputPath({ suggestedName: name });
      if (chosen) setRenderOutput(chosen.path);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const startRender = async () => {
    if (!project || !renderInput) return;
    if (!consent) {
      signalAppEvent('render-refused', { reason: 'no-consent' });
      setDialogOpen(true);
      return;
    }
    studioStore.update((s) => ({ ...s, render: newRenderRun() }));
    try {
      const started = await unmask.startRender({
        projectDir: project.dir,
        mode: renderMode,
        input: renderInput,
        identity: renderIdentity,
        consent,
        ...(renderOutput && { output: renderOutput }),
      });
      studioStore.update((s) => ({
        ...s,
        render: s.render && { ...s.render, jobId: started.jobId, output: started.output },
      }));
      signalAppEvent('render-started', started);
    } catch (e) {
      studioStore.update((s) => ({
        ...s,
        render: {
          ...newRenderRun(),
          status: 'failed',
          error: { code: 'usage', message: errorMessage(e), retryable: false },
        },
      }));
    }
  };

  // The run shown is the one training this project (or creating the new one).
  const watching =
    training && (training.projectDir === projectDir || (isNew && training.status !== 'finished'))
      ? training
      : null;
  const checkpoints = (project?.log ?? []).map((e) => [e.step, e.loss] as [number, number]);
  const preview = watching?.preview?.url ?? project?.previewUrl ?? null;
  const canTrain = isNew ? Boolean(identityA && identityB) : Boolean(project);

  return (
    <section class="screen studio" aria-labelledby="studio-title" data-testid="studio-screen">
      <header class="screen-header">
        <div>
          <h1 id="studio-title">Studio</h1>
          <p class="lede">
            Make a consented face-swap demo to show how manipulation looks — and how Unmask catches it. Every
            output is watermarked and labelled as synthetic.
          </p>
        </div>
      </header>
      <div class="panel">
        <label class="field inline">
          <span>Project</span>
          <select
            value={projectDir}
            disabled={trainingBusy}
            onChange={(e) => setProjectDir(e.currentTarget.value)}
            data-testid="project-select"
          >
            <option value={NEW_PROJECT}>New project from two videos…</option>
            {(projects ?? []).map((p) => (
              <option value={p.dir} key={p.dir}>
                {p.name} · {p.steps} steps
              </option>
            ))}
          </select>
        </label>
        {projectsError && <p class="inline-error">{projectsError}</p>}
        {project && (
          <p class="muted small" data-testid="project-facts">
            {project.model} {project.size} px · A {project.identities.a.faces} faces (
            {project.identities.a.inputs.map(basename).join(', ')}) · B {project.identities.b.faces} faces (
            {project.identities.b.inputs.map(basename).join(', ')}) · {project.steps} steps · consent: “
            {project.consent}”
          </p>
        )}
      </div>
      {isNew && (
        <div class="studio-grid">
          <VideoPick
            title="Identity A — the face to transfer"
            path={identityA}
            onPick={() => pick(setIdentityA)}
            testId="pick-identity-a"
          />
          <VideoPick
            title="Identity B — the video it goes into"
            path={identityB}
            onPick={() => pick(setIdentityB)}
            testId="pick-identity-b"
          />
        </div>
      )}
      <div class="panel consent-panel">
        <h2 class="panel-title">Consent</h2>
        {consent ? (
          <p data-testid="consent-recorded">
            ✓ Consent attested by <strong>{consent.attestedBy}</strong>. It is stored with the project and
            written into every render.
          </p>
        ) : (
          <p class="muted" data-testid="consent-missing">
            Training and rendering need a signed consent attestation from you.
          </p>
        )}
        <div class="actions">
          <button class="secondary" onClick={() => setDialogOpen(true)} data-testid="open-consent">
            {consent ? 'Review attestation…' : 'Attest consent…'}
          </button>
        </div>
      </div>
      <div class="panel" data-testid="training-panel">
        <h2 class="panel-title">Training</h2>
        <TrainingOptionsForm options={options} isNew={isNew} disabled={trainingBusy} onChange={setOptions} />
        <JobActions
          start={{
            label: isNew
              ? 'Create project and train'
              : project && project.steps > 0
                ? 'Resume training'
                : 'Train',
            disabled: !canTrain || trainingBusy,
            onClick: train,
            testId: 'start-training',
          }}
          stop={
            trainingBusy
              ? {
                  label:
                    training?.status === 'stopping' ? 'Saving a checkpoint…' : 'Stop (keeps a checkpoint)',
                  disabled: training?.status === 'stopping' || !training?.jobId,
                  onClick: stop,
                  testId: 'stop-training',
                }
              : null
          }
        />
        {trainingBusy && training && (
          <ProgressBar
            done={training.progress?.done ?? 0}
            total={training.progress?.total ?? null}
            label={
              training.stage === 'train'
                ? `Training · ${training.progress?.detail ?? ''}`
                : training.stage === 'start'
                  ? 'Starting the engine…'
                  : `Extracting faces · ${training.progress?.detail ?? training.stage}`
            }
          />
        )}
        {training?.status === 'finished' && watching && (
          <p class="notice success" role="status" data-testid="training-finished">
            {training.stoppedBy === 'signal'
              ? 'Stopped and checkpointed: nothing is lost. Resume training any time.'
              : training.stoppedBy === 'time'
                ? 'Time limit reached; checkpoint saved.'
                : 'Training run finished; checkpoint saved.'}
          </p>
        )}
        {training?.status === 'failed' &&
          training.error &&
          (training.error.code === 'cancelled' ? (
            <p class="notice" role="status">
              {training.error.message}
            </p>
          ) : (
            <ErrorState title="Training stopped with an error" message={training.error.message} />
          ))}
        {error && <ErrorState title="That did not start" message={error} />}
      </div>
      <div class="studio-grid">
        <div class="panel">
          <h2 class="panel-title">Training loss</h2>
          {watching?.losses.length || checkpoints.length ? (
            <LossChart steps={watching?.losses ?? []} checkpoints={checkpoints} />
          ) : (
            <EmptyState title="No training yet" icon="∿">
              <p class="muted small">The loss curve appears here while the model trains.</p>
            </EmptyState>
          )}
        </div>
        <div class="panel">
          <h2 class="panel-title">Preview</h2>
          {preview ? (
            <figure class="preview">
              <img
                src={preview}
                alt="Preview grid: columns A, A→A, A→B, B, B→B, B→A on held-out faces"
                data-testid="preview-image"
                data-step={watching?.preview?.step ?? project?.steps ?? 0}
              />
              <figcaption class="muted small">
                A · A→A · A→B · B · B→B · B→A (held-out faces)
                {watching?.preview ? ` · step ${watching.preview.step}` : ''}
              </figcaption>
            </figure>
          ) : (
            <EmptyState title="No previews yet" icon="▦">
              <p class="muted small">Swapped sample faces appear here as training progresses.</p>
            </EmptyState>
          )}
        </div>
      </div>
      <div class="panel" data-testid="render-panel">
        <h2 class="panel-title">Render</h2>
        {!project || project.steps === 0 ? (
          <p class="muted">Train a project first; its checkpoint renders swaps and reenactments.</p>
        ) : (
          <>
            <div class="option-grid">
              <label class="field">
                <span>What</span>
                <select
                  value={renderMode}
                  onChange={(e) => setRenderMode(e.currentTarget.value as 'swap' | 'reenact')}
                  data-testid="render-mode"
                >
                  <option value="swap">Face swap of a video</option>
                  <option value="reenact">Reenactment from a driver video</option>
                </select>
              </label>
              <label class="field">
                <span>{renderMode === 'swap' ? 'Paint in identity' : 'Target identity'}</span>
                <select
                  value={renderIdentity}
                  onChange={(e) => setRenderIdentity(e.currentTarget.value as SwapIdentity)}
                  data-testid="render-identity"
                >
                  <option value="a">A</option>
                  <option value="b">B</option>
                </select>
              </label>
            </div>
            <div class="studio-grid">
              <VideoPick
                title={renderMode === 'swap' ? 'Video to swap' : 'Driver video'}
                path={renderInput}
                onPick={() => pick(setRenderInput)}
                testId="pick-render-input"
              />
              <div class="panel pick">
                <h2 class="panel-title">Save to</h2>
                <p class="file-chip" data-testid="render-output">
                  {renderOutput ? basename(renderOutput) : 'The app’s renders folder (a new file)'}
                </p>
                {unmask.shell === 'electron' && (
                  <button class="secondary" onClick={chooseOutput} data-testid="choose-output">
                    Save as…
                  </button>
                )}
              </div>
            </div>
            <JobActions
              start={{
                label: 'Render',
                disabled: !renderInput || renderBusy,
                onClick: startRender,
                testId: 'start-render',
              }}
              stop={
                renderBusy
                  ? {
                      label: 'Cancel',
                      disabled: !render?.jobId,
                      onClick: () => render?.jobId && unmask.cancelRender({ jobId: render.jobId }),
                      testId: 'cancel-render',
                    }
                  : null
              }
            />
          </>
        )}
        {renderBusy && render && (
          <ProgressBar
            done={render.progress?.done ?? 0}
            total={render.progress?.total ?? null}
            label="Rendering"
          />
        )}
        {render?.status === 'cancelled' && (
          <p class="notice" role="status">
            Render cancelled; no file was written.
          </p>
        )}
        {render?.status === 'failed' && render.error && (
          <ErrorState title="The render failed" message={render.error.message} />
        )}
      </div>
      {render?.status === 'finished' && render.result && (
        <div class="panel render-result" data-testid="render-result">
          <h2 class="panel-title">Result</h2>
          <div class="result-stage">
            <video src={render.result.url} controls data-testid="result-player" />
            <span class="stage-label" aria-hidden="true">
              SYNTHETIC
            </span>
          </div>
          <SyntheticLabel result={render.result} />
          <div class="actions">
            <span class="muted small">{render.result.output}</span>
            <button
              class="ghost"
              onClick={() => unmask.revealOutput({ kind: 'render', jobId: render.result!.jobId })}
            >
              Show in folder
            </button>
          </div>
        </div>
      )}
      {dialogOpen && (
        <ConsentDialog
          initial={consent}
          onClose={() => setDialogOpen(false)}
          onAttest={(c) => (setConsent(c), setDialogOpen(false))}
        />
      )}
    </section>
  );
}

function ConsentDialog({
  initial,
  onClose,
  onAttest,
}: {
  initial: ConsentAttestation | null;
  onClose(): void;
  onAttest(c: ConsentAttestation): void;
}) {
  const [subjects, setSubjects] = useState(initial?.subjectsConsented ?? false);
  const [label, setLabel] = useState(initial?.willLabelOutput ?? false);
  const [name, setName] = useState(initial?.attestedBy ?? '');
  const [statement, setStatement] = useState(initial?.statement ?? '');
  const valid = subjects && label && name.trim().length >= 2 && statement.trim().length >= 12;
  return (
    <Dialog title="Consent attestation" onClose={onClose} testId="consent-dialog">
      <p class="muted">
        A face swap uses real people's likeness. Unmask trains only when you confirm all of the following.
      </p>
      <label class="check">
        <input
          type="checkbox"
          checked={subjects}
          onChange={(e) => setSubjects(e.currentTarget.checked)}
          data-testid="consent-subjects"
        />
        Every person shown in videos A and B has given informed consent to this use of their face.
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={label}
          onChange={(e) => setLabel(e.currentTarget.checked)}
          data-testid="consent-label"
        />
        I will keep the output labelled as synthetic and will not use it to deceive anyone.
      </label>
      <label class="field">
        <span>Your name</span>
        <input
          type="text"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          data-testid="consent-name"
          autocomplete="name"
        />
      </label>
      <label class="field">
        <span>Who consented, and to what</span>
        <textarea
          rows={3}
          value={statement}
          placeholder="e.g. Ada and Grace agreed on 3 May to a face swap between their two clips for a training session."
          onInput={(e) => setStatement(e.currentTarget.value)}
          data-testid="consent-statement"
        />
        <small class="muted">Stored with the project and written into the output's metadata.</small>
      </label>
      <div class="actions end">
        <button class="secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          class="primary"
          disabled={!valid}
          onClick={() =>
            onAttest({
              subjectsConsented: true,
              willLabelOutput: true,
              attestedBy: name.trim(),
              statement: statement.trim(),
            })
          }
          data-testid="consent-confirm"
        >
          I attest
        </button>
      </div>
    </Dialog>
  );
}

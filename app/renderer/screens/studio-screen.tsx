/**
 * Studio: a consented face-swap demo. Identity A and B are picked first; training needs the consent
 * attestation (the host refuses a request without it, whatever the UI does).
 */
import { useEffect, useState } from 'preact/hooks';
import type { ConsentAttestation, StudioStatus } from '../../common/contract.ts';
import { errorMessage, signalAppEvent, unmask } from '../api.ts';
import { Dialog, EmptyState, ErrorState } from '../components/common.tsx';

function basename(path: string) {
  return path.split(/[\\/]/).pop() ?? path;
}

export function StudioScreen() {
  const [status, setStatus] = useState<StudioStatus | null>(null);
  const [identityA, setIdentityA] = useState<string | null>(null);
  const [identityB, setIdentityB] = useState<string | null>(null);
  const [consent, setConsent] = useState<ConsentAttestation | null>(null);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    unmask.getStudioStatus({}).then(setStatus, (e: unknown) => setError(errorMessage(e)));
  }, []);

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
    try {
      await unmask.startTraining({ identityA: identityA!, identityB: identityB!, consent });
    } catch (e) {
      setError(errorMessage(e));
      signalAppEvent('training-refused', { reason: errorMessage(e) });
    }
  };

  return (
    <section class="screen studio" aria-labelledby="studio-title" data-testid="studio-screen">
      <header class="screen-header">
        <div>
          <h1 id="studio-title">Studio</h1>
          <p class="lede">
            Make a consented face-swap demo to show how manipulation looks — and how Unmask catches it. Every
            output is watermarked as synthetic.
          </p>
        </div>
      </header>
      {status && !status.available && (
        <div class="notice" role="status" data-testid="studio-unavailable">
          <strong>Training is not available in this build.</strong> {status.reason}
        </div>
      )}
      <div class="studio-grid">
        {(
          [
            ['A', 'Identity A — the face to transfer', identityA, setIdentityA],
            ['B', 'Identity B — the video it goes into', identityB, setIdentityB],
          ] as const
        ).map(([key, label, value, set]) => (
          <div class="panel pick" key={key}>
            <h2 class="panel-title">{label}</h2>
            {value ? <p class="file-chip">▶ {basename(value)}</p> : <p class="muted">No video chosen.</p>}
            <button
              class="secondary"
              onClick={() => pick(set)}
              data-testid={`pick-identity-${key.toLowerCase()}`}
            >
              {value ? 'Change…' : 'Choose video…'}
            </button>
          </div>
        ))}
      </div>
      <div class="panel consent-panel">
        <h2 class="panel-title">Consent</h2>
        {consent ? (
          <p data-testid="consent-recorded">
            ✓ Consent attested by <strong>{consent.attestedBy}</strong>. It is stored with the output.
          </p>
        ) : (
          <p class="muted" data-testid="consent-missing">
            Training needs a signed consent attestation from you.
          </p>
        )}
        <div class="actions">
          <button class="secondary" onClick={() => setDialogOpen(true)} data-testid="open-consent">
            {consent ? 'Review attestation…' : 'Attest consent…'}
          </button>
          <button
            class="primary"
            disabled={!identityA || !identityB}
            onClick={train}
            data-testid="start-training"
          >
            Train model
          </button>
        </div>
      </div>
      {error && <ErrorState title="Training did not start" message={error} />}
      <div class="studio-grid">
        <div class="panel">
          <h2 class="panel-title">Training loss</h2>
          <EmptyState title="No training yet" icon="∿">
            <p class="muted small">The loss curve appears here while the model trains.</p>
          </EmptyState>
        </div>
        <div class="panel">
          <h2 class="panel-title">Preview</h2>
          <EmptyState title="No previews yet" icon="▦">
            <p class="muted small">Swapped sample faces appear here as training progresses.</p>
          </EmptyState>
        </div>
      </div>
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

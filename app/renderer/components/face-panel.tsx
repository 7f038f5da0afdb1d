/**
 * What the heatmap toggle shows: for the sampled frame on screen, each mapped face zoomed in, its aligned crop
 * beside the crop with its blend-boundary map over it. The engine draws the pictures (the same renderer as
 * reports and `unmask scan --heatmaps`), so the app shows exactly what a report would.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ScannedFrame } from '../../common/contract.ts';
import { formatPercent } from '../../common/verdict.ts';
import { errorMessage, unmask } from '../api.ts';

interface Props {
  /** The saved case; null while the scan runs (pictures are drawn from the case). */
  caseId: string | null;
  frame: ScannedFrame | null;
}

type Picture = { url: string; caption: string } | { error: string };

export function FacePanel({ caseId, frame }: Props) {
  const faces = (frame?.faces ?? []).filter((f) => f.manipulation.heatmap);
  const key = caseId && frame ? `${caseId}:${frame.index}` : '';
  const [pictures, setPictures] = useState<{ key: string; byTrack: Map<number, Picture> }>({
    key: '',
    byTrack: new Map(),
  });

  useEffect(() => {
    if (!caseId || !frame) return;
    let current = true;
    const byTrack = new Map<number, Picture>();
    setPictures({ key, byTrack: new Map() });
    for (const face of faces) {
      unmask
        .getFacePicture({ caseId, trackId: face.trackId, frameIndex: frame.index })
        .then(
          (picture): Picture => picture,
          (error: unknown): Picture => ({ error: errorMessage(error) }),
        )
        .then((picture) => {
          if (!current) return;
          byTrack.set(face.trackId, picture);
          setPictures({ key, byTrack: new Map(byTrack) });
        });
    }
    return () => {
      current = false;
    };
  }, [key]);

  const shown = pictures.key === key ? pictures.byTrack : new Map<number, Picture>();
  return (
    <div
      class="face-panel"
      data-testid="face-panel"
      data-frame={frame?.index ?? ''}
      data-pictures={[...shown.values()].filter((p) => 'url' in p).length}
    >
      {!caseId ? (
        <p class="small muted">The zoomed faces and their maps are drawn once the scan has finished.</p>
      ) : faces.length === 0 ? (
        <p class="small muted">
          No face in this frame has a blend-boundary map: maps are kept for faces scoring in or above the
          inconclusive band. The highest-scoring frames of each person are listed on their card.
        </p>
      ) : (
        faces.map((face) => {
          const picture = shown.get(face.trackId);
          const title = `Person ${face.trackId} · ${formatPercent(face.manipulation.probability)}`;
          return (
            <figure key={face.trackId}>
              {picture && 'url' in picture ? (
                <img src={picture.url} alt={`${title}: the face, and the face with its blend-boundary map`} />
              ) : (
                <div class="face-panel-wait">{picture ? picture.error : 'Drawing…'}</div>
              )}
              <figcaption>
                <strong>{title}</strong>
                {picture && 'url' in picture && <span class="muted"> · {picture.caption}</span>}
              </figcaption>
            </figure>
          );
        })
      )}
    </div>
  );
}

/**
 * Report → one self-contained HTML file (styles, charts and pictures inlined; no network, no scripts), laid out
 * for the screen and for A4 printing. Pure: the pictures come in as data URIs.
 */
import {
  damageCaveat,
  describePerson,
  formatPercent,
  plural,
  showsScore,
  strengthPhrase,
  TONE_COLOURS,
  VERDICT_TEXT,
  VERDICT_TONE,
  verdictBadgeText,
  type Tone,
} from '../detect/verdict.ts';
import { describeMapRange, mapRange } from '../imaging/heatmap.ts';
import { AI_TAG_TEXT } from '../scan/ai-label.ts';
import { caseNumber } from '../store/case-store.ts';
import { describeSampling } from '../video/describe-sampling.ts';
import type { Report, ReportPerson } from './report-format.ts';
import type { ReportImages } from './report-images.ts';
import { faceImageKey } from './report-images.ts';
import { escapeXml as esc } from './svg-text.ts';
import { formatTime, timelineChartSvg } from './timeline-chart.ts';

/** The verdict tones as CSS variables: ink and border (`--danger`), and a box's background (`--danger-bg`). */
const TONE_CSS = (Object.keys(TONE_COLOURS) as Tone[])
  .map((tone) => `--${tone}: ${TONE_COLOURS[tone].light}; --${tone}-bg: ${TONE_COLOURS[tone].tint};`)
  .join(' ');

const STYLE = `
:root { color-scheme: light; --ink: #111827; --muted: #4b5563; --line: #d1d5db; --panel: #f9fafb; ${TONE_CSS} }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 800px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 16px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); break-after: avoid; }
h3 { font-size: 14px; margin: 0; }
.meta { color: var(--muted); font-size: 12px; }
.mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.verdict { border: 2px solid; border-radius: 8px; padding: 16px 18px; margin: 18px 0; break-inside: avoid; }
.verdict .label { font-size: 24px; font-weight: bold; }
.verdict p { margin: 6px 0 0; }
.tone-danger { border-color: var(--danger); background: var(--danger-bg); } .tone-danger .label { color: var(--danger); }
.tone-warning { border-color: var(--warning); background: var(--warning-bg); } .tone-warning .label { color: var(--warning); }
.tone-ok { border-color: var(--ok); background: var(--ok-bg); } .tone-ok .label { color: var(--ok); }
.tone-neutral { border-color: var(--neutral); background: var(--neutral-bg); } .tone-neutral .label { color: var(--neutral); }
.scale { margin-top: 12px; }
.caveats { margin: 10px 0 0; padding: 8px 12px 8px 28px; border-radius: 6px; background: rgba(255, 255, 255, 0.7); }
.caveats li::marker { content: "⚠  "; }
.notice { border-left: 6px solid var(--danger); background: var(--danger-bg); padding: 12px 14px; margin: 14px 0; break-inside: avoid; }
.notice strong { color: var(--danger); }
.notice.info { border-color: #2563eb; background: #eff6ff; } .notice.info strong { color: #1d4ed8; }
.person { border: 1px solid var(--line); border-radius: 8px; padding: 14px; margin: 12px 0; break-inside: avoid; }
.person > svg { display: block; width: 100%; height: auto; }
.person header { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; margin-bottom: 8px; }
.pill { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 12px; font-weight: bold; color: #fff; }
.frames { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin-top: 10px; }
.frame { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px; background: var(--panel); font-size: 12px; }
.frame img { width: 100%; display: block; border-radius: 4px; image-rendering: auto; }
.frame img.context { margin-bottom: 4px; }
.frame .missing { height: 80px; display: flex; align-items: center; justify-content: center; color: var(--muted); text-align: center; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px 4px 0; border-bottom: 1px solid #e5e7eb; }
th { width: 28%; color: var(--muted); font-weight: normal; }
ul { margin: 6px 0; padding-left: 20px; }
li { margin: 3px 0; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; white-space: pre-wrap; }
.keep { break-inside: avoid; }
footer.end { margin-top: 32px; color: var(--muted); font-size: 11px; }
@page { size: A4; margin: 18mm 14mm 16mm; }
@media print { body { font-size: 13px; } main { max-width: none; padding: 0; } h2 { margin-top: 18px; } li { margin: 1px 0; } .appendix { font-size: 11.5px; } .appendix table, .appendix .mono { font-size: 10.5px; } a { color: inherit; text-decoration: none; } }
`;

export function renderReportHtml(report: Report, images: ReportImages): string {
  const v = report.verdict;
  const tone = VERDICT_TONE[v.label];
  const { aiGenerated, aiTags } = report.provenance;
  // A damaged input's caveat (listed first) says which parts of the video the verdict does not cover.
  const damaged = report.damage ? damageCaveat(report.damage) : null;
  const preparedBy = analystLine(report);
  const body = [
    `<header><h1>Unmask verification report</h1>`,
    `<div class="meta">Case <span class="mono" data-field="case-id">${esc(caseNumber(report.caseId))}</span> · generated ${esc(report.generatedAt)} · Unmask ${esc(report.engine.version)}</div>`,
    preparedBy ? `<div class="meta" data-field="analyst">Prepared by ${esc(preparedBy)}</div>` : '',
    `</header>`,
    `<section class="verdict tone-${tone}" data-field="verdict">`,
    `<div class="label">${VERDICT_TEXT[v.label]}</div>`,
    `<p>${esc(v.headline)}</p>`,
    showsScore(v.label)
      ? `<p><strong>Score ${formatPercent(v.score)}</strong>${v.strength ? ` · ${esc(strengthPhrase(v.strength))} (InVID verbal scale)` : ''}${v.decidingTrackId !== null ? ` · decided by person ${v.decidingTrackId}` : ''}</p>`
      : '',
    `<div class="scale">${scaleSvg(v.score, v.inconclusiveBand)}</div>`,
    v.caveats.length
      ? `<ul class="caveats" data-field="caveats">${v.caveats.map((c) => (c === damaged ? `<li data-field="damage"><strong>${esc(c)}</strong></li>` : `<li>${esc(c)}</li>`)).join('')}</ul>`
      : '',
    `</section>`,
    report.consentWarning.shown
      ? `<div class="notice" role="alert" data-field="consent-warning"><strong>Consent warning.</strong> ${esc(report.consentWarning.text)}</div>`
      : '',
    aiTags.length
      ? `<div class="notice info" data-field="ai-tags"><strong>${aiGenerated ? 'The file declares itself AI-generated.' : 'The file does not declare itself AI-generated.'}</strong> Its tags about AI generation: ${aiTags.map((t) => `<span class="mono">${esc(t.tag)}=${esc(t.value)}</span> (${AI_TAG_TEXT[t.says]})`).join(', ')}.</div>`
      : '',
    report.provenance.contentCredentials?.present
      ? `<div class="notice info"><strong>Content credentials (C2PA) found.</strong> ${esc(report.provenance.contentCredentials.summary ?? '')}</div>`
      : '',
    `<p>${esc(report.summary.message)}</p>`,
    `<h2>People</h2>`,
    report.people.length
      ? report.people.map((p) => personCard(p, report, images)).join('')
      : '<p>No face was found in the sampled frames.</p>',
    images.unavailable ? `<p class="meta">${esc(images.unavailable)}</p>` : '',
    `<h2>Input and chain of custody</h2>`,
    table([
      ['File', esc(report.input.fileName)],
      ['Path at scan time', `<span class="mono">${esc(report.input.path)}</span>`],
      ['Size', `${report.input.sizeBytes.toLocaleString('en-US')} bytes`],
      ['SHA-256', `<span class="mono" data-field="sha256">${report.input.sha256}</span>`],
      ['Container', esc(report.container.formatName ?? '—')],
      [
        'Duration',
        report.container.durationSec === null ? '—' : `${report.container.durationSec.toFixed(2)} s`,
      ],
      [
        'Video',
        esc(
          [
            report.container.videoCodec,
            report.container.width && report.container.height
              ? `${report.container.width}×${report.container.height}`
              : null,
            report.container.frameRate ? `${report.container.frameRate.toFixed(2)} fps` : null,
            report.container.rotation ? `rotated ${report.container.rotation}°` : null,
          ]
            .filter(Boolean)
            .join(', ') || '—',
        ),
      ],
      ['Audio', esc(report.container.audio ?? 'none')],
      ['Encoder tag', esc(report.container.encoder ?? '—')],
      ['Creation time tag', esc(report.container.creationTime ?? '—')],
      ...Object.entries(report.container.tags)
        .filter(([k]) => k !== 'encoder' && k !== 'creation_time')
        .map(([k, val]): [string, string] => [`Tag ${esc(k)}`, `<span class="mono">${esc(val)}</span>`]),
    ]),
    // Reference material, set smaller in print so the report does not spill a few lines onto a last page.
    `<div class="appendix"><h2>Method</h2><ul>${report.methods.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>`,
    `<p>Inconclusive band: scores from ${formatPercent(v.inconclusiveBand[0])} to ${formatPercent(v.inconclusiveBand[1])} are reported as inconclusive.</p>`,
    `<h2>Limitations</h2><ul>${report.limitations.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>`,
    `<h2>Engine and models</h2>`,
    table([
      ['Unmask', esc(report.engine.version)],
      [
        'TensorFlow.js',
        `${esc(report.engine.tfjsVersion)} (backend ${esc(report.engine.tensorflowBackend)})`,
      ],
      ['ffmpeg', esc(report.engine.ffmpeg)],
      ...report.engine.models.map((m): [string, string] => [
        esc(m.name),
        `<span class="mono">${esc(m.file)} sha256 ${esc(m.sha256)}</span>`,
      ]),
    ]),
    // The last section and the footer stay together: a PDF never ends on a page holding a stray sentence.
    `<section class="keep"><h2>Reproduce</h2><pre class="mono">${esc(report.reproduction.command)}</pre><p class="meta">${esc(report.reproduction.note)} Sampled: ${esc(describeSampling(report.settings.sampling))}; faces under ${report.settings.minFaceSize} px are not judged.</p>`,
    report.notes ? `<h2>Analyst notes</h2><p>${esc(report.notes).replace(/\n/g, '<br>')}</p>` : '',
    `<footer class="end">Scan started ${esc(report.scan.timing.startedAt)}, took ${report.scan.timing.durationSec.toFixed(1)} s. Report format ${esc(report.format)} v${report.formatVersion}.</footer></section></div>`,
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Unmask report ${esc(report.caseId)} — ${esc(VERDICT_TEXT[v.label])}</title>`,
    `<style>${STYLE}</style></head>`,
    `<body><main>${body.join('\n')}</main></body></html>`,
    '',
  ].join('\n');
}

function personCard(person: ReportPerson, report: Report, images: ReportImages): string {
  const band = report.verdict.inconclusiveBand;
  const colour = TONE_COLOURS[VERDICT_TONE[person.label]].light;
  const frames = person.worstFrames
    .map((f) => {
      const image = images.faces.get(faceImageKey(person.trackId, f.frameIndex));
      const context = images.contexts.get(faceImageKey(person.trackId, f.frameIndex));
      const scene = context
        ? `<img class="context" data-field="context" src="${context}" alt="The whole frame at ${formatTime(f.timeSec)}, person ${person.trackId} boxed">`
        : '';
      const picture = image
        ? `<img src="${image}" alt="Person ${person.trackId} at ${formatTime(f.timeSec)}: ${f.heatmap ? 'face and blend-boundary map' : 'face'}">`
        : '<div class="missing">picture unavailable</div>';
      const mapNote = f.heatmap
        ? `<br><span class="meta" data-field="map-range">${esc(describeMapRange(mapRange(f.heatmap.values)))}</span>`
        : '<br><span class="meta">no blend-boundary map: score below the inconclusive band</span>';
      return `<figure class="frame">${scene}${picture}<figcaption><strong>${formatTime(f.timeSec)}</strong> · ${formatPercent(f.probability)}${f.strength ? ` (${esc(f.strength)})` : ''}${f.caveats.length ? `<br><span class="meta">${f.caveats.map(esc).join('; ')}</span>` : ''}${mapNote}</figcaption></figure>`;
    })
    .join('');
  return [
    `<article class="person" data-track="${person.trackId}">`,
    `<header><h3>Person ${person.trackId}</h3><span class="pill" data-field="person-verdict" style="background:${colour}">${esc(verdictBadgeText(person.label, person.score))}</span></header>`,
    `<p data-field="person-sentence">${esc(describePerson(person))}</p>`,
    `<div class="meta">On screen ${formatTime(person.firstTimeSec)}–${formatTime(person.lastTimeSec)}; judged in ${person.scoredFrames} of ${plural(person.frames, 'sampled frame')}.</div>`,
    timelineChartSvg(person.timeline, {
      durationSec: report.summary.timelineEndSec,
      inconclusiveBand: band,
      width: 750,
    }),
    person.worstFrames.length
      ? `<div class="meta">Highest-scoring frames: the whole frame with the face boxed, the aligned face, and the same face with its blend-boundary map (yellow = where the detector places a join most strongly, on the map's own range, given under each picture; the bar runs from its lowest to its highest value).</div><div class="frames">${frames}</div>`
      : '',
    `</article>`,
  ].join('');
}

/** "Name, Organisation" of whoever made the report, or '' when neither was given. */
export function analystLine(report: Pick<Report, 'analyst'>): string {
  return [report.analyst.name, report.analyst.organisation].filter((part) => part !== null).join(', ');
}

function table(rows: Array<[string, string]>): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

/** A 0–100 % bar with the three zones and a marker at the score. */
function scaleSvg(score: number | null, band: readonly [number, number]): string {
  const w = 600;
  const x = (p: number) => 10 + p * (w - 20);
  const marker =
    score === null
      ? ''
      : `<polygon points="${x(score) - 7},4 ${x(score) + 7},4 ${x(score)},16" fill="#111827"/><text x="${x(score)}" y="48" font-size="11" text-anchor="middle" fill="#111827">${formatPercent(score)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="52" viewBox="0 0 ${w} 52" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" role="img" aria-label="Score scale">` +
    `<rect x="${x(0)}" y="18" width="${x(band[0]) - x(0)}" height="14" fill="#86efac"/>` +
    `<rect x="${x(band[0])}" y="18" width="${x(band[1]) - x(band[0])}" height="14" fill="#fcd34d"/>` +
    `<rect x="${x(band[1])}" y="18" width="${x(1) - x(band[1])}" height="14" fill="#fca5a5"/>` +
    `<text x="${(x(0) + x(band[0])) / 2}" y="29" font-size="10" text-anchor="middle" fill="#14532d">${VERDICT_TEXT['no-manipulation-detected'].toLowerCase()}</text>` +
    `<text x="${(x(band[0]) + x(band[1])) / 2}" y="29" font-size="10" text-anchor="middle" fill="#78350f">${VERDICT_TEXT.inconclusive.toLowerCase()}</text>` +
    `<text x="${(x(band[1]) + x(1)) / 2}" y="29" font-size="10" text-anchor="middle" fill="#7f1d1d">${VERDICT_TEXT['likely-manipulated'].toLowerCase()}</text>` +
    marker +
    '</svg>'
  );
}

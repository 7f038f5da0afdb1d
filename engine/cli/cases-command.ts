/** `unmask cases list | show <id> | note <id> <text> | delete <id>`: the case library from the command line. */
import type { Command } from 'commander';
import { describePerson, describeVerdict, verdictBadgeText } from '../detect/verdict.ts';
import { AI_TAG_TEXT, readAiTags } from '../scan/ai-label.ts';
import { openCaseStore, type CaseStore, type CaseSummary } from '../store/case-store.ts';
import { defaultDataDir } from '../store/data-dir.ts';

interface DataDirFlags {
  dataDir?: string;
}

export const DATA_DIR_OPTION_HELP = "case library folder (default: the desktop app's, or $UNMASK_DATA_DIR)";

export function withCaseStore<T>(flags: DataDirFlags, use: (store: CaseStore) => T): T {
  const store = openCaseStore(flags.dataDir ?? defaultDataDir());
  try {
    return use(store);
  } finally {
    store.close();
  }
}

function formatCaseLine(c: CaseSummary): string {
  return [
    c.id,
    c.createdAt.slice(0, 19).replace('T', ' '),
    verdictBadgeText(c.verdict.label, c.verdict.score).padEnd(30),
    c.fileName,
  ].join('  ');
}

export function addCasesCommand(program: Command): void {
  const cases = program
    .command('cases')
    .description('list, show and delete saved cases (every scan is a case)');
  cases
    .command('list')
    .description('saved cases, newest first')
    .option('--data-dir <dir>', DATA_DIR_OPTION_HELP)
    .option('--json', 'print JSON')
    .action((flags: DataDirFlags & { json?: boolean }) => {
      const list = withCaseStore(flags, (store) => store.listCases());
      if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0)
        process.stdout.write('No cases yet. Scan a video with `unmask scan <video>`.\n');
      else process.stdout.write(`${list.map(formatCaseLine).join('\n')}\n`);
    });
  cases
    .command('show')
    .description('one case: verdict, input fingerprint, people; --json for the whole scan')
    .argument('<id>', 'case id')
    .option('--data-dir <dir>', DATA_DIR_OPTION_HELP)
    .option('--json', 'print the whole case as JSON')
    .action((id: string, flags: DataDirFlags & { json?: boolean }) => {
      const found = withCaseStore(flags, (store) => store.requireCase(id));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(found, null, 1)}\n`);
        return;
      }
      const lines = [
        `case      ${found.id}`,
        `file      ${found.inputPath}`,
        `sha256    ${found.sha256}`,
        `scanned   ${found.createdAt}`,
        `verdict   ${describeVerdict(found.verdict.label, found.verdict.score)}`,
        `summary   ${found.scan.summary.message}`,
        ...found.scan.verdict.caveats.map((c) => `caveat    ${c}`),
        ...found.scan.tracks.map(
          (t) =>
            `person ${t.id}  ${t.firstTimeSec.toFixed(1)}–${t.lastTimeSec.toFixed(1)} s  ${verdictBadgeText(t.label, t.score)}  ${describePerson(t)}`,
        ),
        ...readAiTags(found.scan.probe).map((t) => `AI tag    ${t.tag}=${t.value} (${AI_TAG_TEXT[t.says]})`),
        ...(found.notes ? [`notes     ${found.notes}`] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  cases
    .command('note')
    .description("set a case's notes (shown in its reports)")
    .argument('<id>', 'case id')
    .argument('<text>', 'the notes; an empty string clears them')
    .option('--data-dir <dir>', DATA_DIR_OPTION_HELP)
    .action((id: string, text: string, flags: DataDirFlags) => {
      withCaseStore(flags, (store) => store.setNotes(id, text));
      process.stderr.write(`Notes saved on ${id}\n`);
    });
  cases
    .command('delete')
    .description('delete a case')
    .argument('<id>', 'case id')
    .option('--data-dir <dir>', DATA_DIR_OPTION_HELP)
    .action((id: string, flags: DataDirFlags) => {
      withCaseStore(flags, (store) => {
        store.requireCase(id);
        store.deleteCase(id);
      });
      process.stderr.write(`Deleted ${id}\n`);
    });
}

/** `unmask report <case-id|scan.json> --format json|html|pdf --out <file>`: a report a verification desk can file. */
import { extname } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  exportReport,
  loadReportSource,
  REPORT_FORMATS,
  type ReportFormatName,
} from '../report/export-report.ts';
import { defaultDataDir } from '../store/data-dir.ts';
import { UnmaskError } from '../util/errors.ts';
import { isSameFile } from '../util/files.ts';
import { DATA_DIR_OPTION_HELP } from './cases-command.ts';

interface ReportFlags {
  format?: ReportFormatName;
  out: string;
  dataDir?: string;
  analyst?: string;
  organisation?: string;
}

function reportFormat(value: string): ReportFormatName {
  if (!(REPORT_FORMATS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`use one of ${REPORT_FORMATS.join(', ')}`);
  return value as ReportFormatName;
}

export function addReportCommand(program: Command): void {
  program
    .command('report')
    .description('write a report of a case or a scan file: JSON, self-contained HTML, or PDF')
    .argument('<case-or-scan>', 'case id (see `unmask cases list`) or a scan JSON file')
    .option(
      '-f, --format <format>',
      `${REPORT_FORMATS.join(' | ')} (default: from the --out extension)`,
      reportFormat,
    )
    .requiredOption('-o, --out <file>', 'where to write the report')
    .option('--data-dir <dir>', DATA_DIR_OPTION_HELP)
    .option('--analyst <name>', 'who made the report, printed on every page')
    .option('--organisation <name>', 'their organisation, printed on every page')
    .action(async (reference: string, flags: ReportFlags) => {
      const format = flags.format ?? formatFromExtension(flags.out);
      const source = await loadReportSource(reference, flags.dataDir ?? defaultDataDir());
      if (isSameFile(flags.out, source.scan.input.path))
        throw new UnmaskError('usage', 'The report would overwrite the scanned video; choose another --out.');
      const analyst = { name: flags.analyst, organisation: flags.organisation };
      const report = await exportReport({ ...source, analyst }, format, flags.out);
      process.stderr.write(
        `${report.verdict.headline}\nWrote ${format.toUpperCase()} report ${flags.out} (case ${report.caseId})\n`,
      );
    });
}

function formatFromExtension(path: string): ReportFormatName {
  const ext = extname(path).slice(1).toLowerCase();
  if (ext === 'htm') return 'html';
  if ((REPORT_FORMATS as readonly string[]).includes(ext)) return ext as ReportFormatName;
  throw new UnmaskError(
    'usage',
    `Cannot tell the report format from "${path}"; pass --format json|html|pdf.`,
  );
}

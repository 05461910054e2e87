import { homedir } from 'node:os';
import { DEFAULTS, OPTION_NAMES, OPTIONS, type OptionSpec, type Options } from '../core/options';
import { checkValue } from '../core/config/optionValues';
import { runConfigOf, type RunConfig } from '../core/config/runConfig';

/** Every option as the extension has it: the `xl3m.*` settings, and the table's default for the rest. */
export type Settings = Options;

/**
 * Where settings come from. `userValue` reads the user (machine) level only: settings that choose
 * where code is sent are never taken from a workspace, whatever its trust.
 */
export interface SettingsSource {
  value(key: string): unknown;
  userValue(key: string): unknown;
}

/** Reads and checks every `xl3m.*` setting of the option table; a wrong value falls back to its default with a problem line. */
export function readSettings(source: SettingsSource): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const settings = { ...DEFAULTS, excludes: [], additionalBaseUrls: [], pinned: [] } as Options;
  for (const name of OPTION_NAMES) {
    const spec: OptionSpec = OPTIONS[name];
    if (!spec.setting) continue;
    const raw = spec.scope === 'machine' ? source.userValue(spec.setting) : source.value(spec.setting);
    if (raw === undefined || raw === null) continue;
    const checked = spec.kind === 'urls' && Array.isArray(raw) ? checkEach(spec, raw, problems) : checkValue(spec, raw);
    if ('problem' in checked) {
      const fallback = Array.isArray(spec.default) || spec.default === '' ? 'ignored' : `using ${String(spec.default)}`;
      problems.push(`xl3m.${spec.setting} ${checked.problem}; ${fallback}.`);
      continue;
    }
    (settings as Record<string, unknown>)[name] = spec.kind === 'path' ? expandHome(checked.value as string) : checked.value;
  }
  return { settings, problems };
}

/** A list of servers keeps its good entries: one mistyped URL does not drop the others. */
function checkEach(spec: OptionSpec, raw: unknown[], problems: string[]): { value: unknown } {
  const good: string[] = [];
  for (const item of raw) {
    const checked = checkValue(spec, [item]);
    if ('problem' in checked) problems.push(`xl3m.${spec.setting} ${checked.problem}; ignored.`);
    else good.push(...(checked.value as string[]));
  }
  return { value: good };
}

function expandHome(path: string): string {
  return path.replace(/^~(?=$|[\\/])/, homedir());
}

/**
 * The run configuration of the extension's settings. A server (with its API key) and a local model
 * may both be set: the server is used, and the run says so (`createBackend`).
 */
export function toRunConfig(settings: Settings, apiKey: string | undefined, pinned: string[]): RunConfig {
  return runConfigOf({ ...settings, apiKey: apiKey ?? '', pinned });
}

// package.json's settings, written from the option table (extension/core/config/options.ts):
// `npm run manifest` rewrites them; test/core/options.test.ts fails when package.json differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPTION_NAMES, OPTIONS, type OptionSpec } from '../extension/core/options';
import { enumDescriptions, enumValues } from '../extension/core/config/optionValues';

const TYPES: Record<OptionSpec['kind'], object> = {
  int: { type: 'integer' },
  text: { type: 'string' },
  url: { type: 'string' },
  path: { type: 'string' },
  enum: { type: 'string' },
  bool: { type: 'boolean' },
  urls: { type: 'array', items: { type: 'string' } },
  patterns: { type: 'array', items: { type: 'string' } },
};

/** `contributes.configuration.properties`: every option with a setting, in the table's order. */
export function settingsProperties(): Record<string, object> {
  const properties: Record<string, object> = {};
  for (const name of OPTION_NAMES) {
    const spec: OptionSpec = OPTIONS[name];
    if (!spec.setting) continue;
    properties[`xl3m.${spec.setting}`] = {
      ...TYPES[spec.kind],
      default: spec.default,
      ...(spec.min !== undefined ? { minimum: spec.min } : {}),
      ...(spec.max !== undefined ? { maximum: spec.max } : {}),
      ...(spec.kind === 'enum' ? { enum: [...enumValues(spec)] } : {}),
      ...(enumDescriptions(spec) ? { enumDescriptions: [...enumDescriptions(spec)!] } : {}),
      markdownDescription: spec.description ?? spec.help,
      ...(spec.scope === 'machine' ? { scope: 'machine' } : {}),
    };
  }
  return properties;
}

/** The settings an untrusted workspace cannot set: every machine-scoped one. */
export function restrictedConfigurations(): string[] {
  return OPTION_NAMES.map((n) => OPTIONS[n] as OptionSpec)
    .filter((s) => s.setting && s.scope === 'machine')
    .map((s) => `xl3m.${s.setting}`);
}

export const MANIFEST = join(__dirname, '..', 'package.json');

/** package.json with its settings and restricted settings written from the table. */
export function generatedManifest(text: string): string {
  const manifest = JSON.parse(text);
  manifest.contributes.configuration.properties = settingsProperties();
  manifest.capabilities.untrustedWorkspaces.restrictedConfigurations = restrictedConfigurations();
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

if (require.main === module) {
  const before = readFileSync(MANIFEST, 'utf8');
  const after = generatedManifest(before);
  if (after !== before) writeFileSync(MANIFEST, after);
  console.log(after === before ? 'package.json: settings up to date' : 'package.json: settings rewritten from the option table');
}

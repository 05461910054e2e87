// An option's values, where they come from above the table (the scoring methods of the server
// families), and the check of a value against its option, for the settings reader and the CLI.
import { METHODS, SCORING_METHODS } from '../model/families/methods';
import type { OptionSpec } from '../options';

export function enumValues(spec: OptionSpec): readonly string[] {
  return spec.values === 'scoring methods' ? ['auto', ...SCORING_METHODS] : (spec.values ?? []);
}

export function enumDescriptions(spec: OptionSpec): readonly string[] | undefined {
  return spec.values === 'scoring methods'
    ? ['Probe each server once and use the best method it allows.', ...METHODS.map((m) => m.summary)]
    : spec.valueDescriptions;
}

/** Why a value is not one this option takes, in words for a setting (`xl3m.x must ...`) or a flag. */
export function checkValue(spec: OptionSpec, value: unknown): { value: unknown } | { problem: string } {
  switch (spec.kind) {
    case 'int': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      const min = spec.min ?? Number.MIN_SAFE_INTEGER;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
        return { problem: `must be a whole number ${spec.max !== undefined ? `from ${min} to ${max}` : `>= ${min}`}` };
      }
      return { value: n };
    }
    case 'bool':
      return typeof value === 'boolean' ? { value } : { problem: 'must be true or false' };
    case 'text':
    case 'path':
      return typeof value === 'string' ? { value: value.trim() } : { problem: 'must be text' };
    case 'url': {
      if (typeof value !== 'string') return { problem: 'must be text' };
      const v = value.trim();
      return v === '' || isHttpUrl(v) ? { value: v } : { problem: `must be an http(s) URL (got "${v}")` };
    }
    case 'urls':
      if (!Array.isArray(value)) return { problem: 'must be a list of URLs' };
      for (const v of value) if (typeof v !== 'string' || !isHttpUrl(v.trim())) return { problem: `must be a list of http(s) URLs (got "${String(v)}")` };
      return { value: value.map((v: string) => v.trim()) };
    case 'patterns':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? { value: [...value] } : { problem: 'must be a list of patterns' };
    case 'enum': {
      const values = enumValues(spec);
      return typeof value === 'string' && values.includes(value) ? { value } : { problem: `must be ${orList(values)} (got "${String(value)}")` };
    }
  }
}

export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function orList(values: readonly string[]): string {
  return values.length <= 2 ? values.join(' or ') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

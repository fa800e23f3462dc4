// Reads autopilot.yml from disk (CLI and package time). Lambda never runs this: it gets the
// validated configuration embedded in its bundle.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { AutopilotConfig } from './schema.js';
import { ConfigError, validateConfig } from './validate.js';

export const DEFAULT_CONFIG_FILE = 'autopilot.yml';

export function parseConfigText(text: string, source: string): AutopilotConfig {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(source, document.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`));
  }
  return validateConfig(document.toJS() ?? {}, source);
}

export function loadConfigFile(path: string): AutopilotConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? (error as Error).message})`]);
  }
  return parseConfigText(text, path);
}

// The configuration a function runs with. A packaged bundle embeds the output of validateConfig
// (build/autopilot-config.cjs validates autopilot.yml at package time, with this same code), so a
// cold start takes it as it is: building the configuration's schemas again cost about 13 ms of a
// 90 ms import (npm run bench), and validateConfig of its own output gives it back unchanged (a
// test checks this for the example configurations). Anything else (a test that embeds a raw
// configuration, or none) is validated here, with the schemas loaded on demand.
import type { AutopilotConfig } from './schema.js';
import { embeddedConfig, embeddedConfigIsValidated } from './environment.js';

export const EMBEDDED_SOURCE = 'autopilot.yml (embedded at package time)';

export async function packagedConfig(): Promise<AutopilotConfig> {
  const embedded = embeddedConfig();
  if (embeddedConfigIsValidated()) return embedded as AutopilotConfig;
  const { validateConfig } = await import('./validate.js');
  return validateConfig(embedded, EMBEDDED_SOURCE);
}

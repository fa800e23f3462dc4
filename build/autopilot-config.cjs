// The configuration used at package time: AUTOPILOT_CONFIG names the file (default autopilot.yml
// at the project root). Loaded and validated once per process; a bad file stops `sls package`
// with a message that names the file, the path and the fix.
const path = require('node:path');
const loadTs = require('./load-ts.cjs');

const root = path.resolve(__dirname, '..');
let cached;

function configPath() {
  return path.resolve(root, process.env.AUTOPILOT_CONFIG || 'autopilot.yml');
}

function loadAutopilotConfig() {
  if (!cached) {
    const { loadConfigFile } = loadTs('../shared/config/load-file.ts');
    cached = loadConfigFile(configPath());
  }
  return cached;
}

module.exports = { loadAutopilotConfig, configPath };

// Lets CommonJS build scripts (serverless variables, esbuild options) load the project's
// TypeScript modules directly, so package time validates with the same code Lambda runs.
const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = function loadTs(modulePath) {
  return tsxRequire(modulePath, __filename);
};

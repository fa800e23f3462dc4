// serverless-esbuild reads its options from here (custom.esbuild.config in serverless.yml).
const { esbuildOptions } = require('./esbuild-options.cjs');

module.exports = () => {
  const { outExtension: _fromEsbuild, ...options } = esbuildOptions();
  return { ...options, outputFileExtension: '.mjs', exclude: [], packager: 'npm' };
};

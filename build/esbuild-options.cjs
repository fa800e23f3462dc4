// esbuild options for every Lambda bundle, used by serverless-esbuild (custom.esbuild.config in
// serverless.yml) and by `npm run bench`, so what is measured is what is deployed.
const { loadAutopilotConfig } = require('./autopilot-config.cjs');

function esbuildOptions() {
  return {
    bundle: true,
    minify: true,
    treeShaking: true,
    sourcemap: true,
    sourcesContent: false,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    // ES module builds of the AWS SDK tree-shake to a third of their CommonJS size.
    mainFields: ['module', 'main'],
    // Code the SDK loads with import() only when needed (the SSO, INI and web-identity credential
    // providers, a browser user-agent parser) goes into chunks that a Lambda using its role's
    // credentials never loads: about a quarter off the cold import.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // Some dependencies still call require() for Node built-ins; ESM bundles need it defined.
    banner: { js: "import{createRequire as __autopilotRequire}from'node:module';const require=__autopilotRequire(import.meta.url);" },
    // The validated configuration is embedded, so Lambda reads no file and bundles no YAML parser,
    // and says it is validated, so a cold start does not build the schemas to check it again
    // (shared/config/packaged.ts).
    define: { __AUTOPILOT_CONFIG__: JSON.stringify(loadAutopilotConfig()), __AUTOPILOT_CONFIG_VALIDATED__: 'true' },
    // Bundle the AWS SDK instead of using the runtime's copy: pinned versions, tree-shaken.
    external: [],
    logLevel: 'warning',
  };
}

module.exports = { esbuildOptions };

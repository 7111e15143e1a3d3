// Preloaded by `npm run test:mutation` only. @stryker-mutator/mocha-runner 9 (the last release that runs on
// Node 20) requires mocha's CLI helpers without a file extension, and mocha 12 ships them as .cjs files:
// resolving .cjs like .js lets it find them. Nothing else changes.
/* global require */
require.extensions['.cjs'] ??= require.extensions['.js'];

// Resolves the pinned Temporal CLI (building it with `go install` if needed) and prints its path on stdout,
// so scripts can do `TEMPORAL_CLI_PATH="$(npm run -s temporal:cli)"`. Progress goes to stderr.
import { resolveTemporalCliStrict } from './temporalCli';
import { errorMessage } from '../src/shared/errors';

resolveTemporalCliStrict()
  .then(({ path, source, version }) => {
    process.stderr.write(`[temporal-cli] using ${path} (${source}; ${version})\n`);
    process.stdout.write(`${path}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exit(1);
  });

// Finds or builds (`go install`) the Temporal server, temporal-sql-tool and the Web UI that `npm run cluster`
// runs, and prints their paths on stdout; progress goes to stderr. CI runs it before the tests.
import { resolveClusterBinaries } from './cluster/binaries';
import { errorMessage } from '../src/shared/errors';

resolveClusterBinaries()
  .then((binaries) => {
    for (const [name, file] of Object.entries(binaries)) process.stdout.write(`${name}\t${file}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exit(1);
  });

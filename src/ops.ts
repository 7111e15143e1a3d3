import dotenv from 'dotenv';
import { runCli } from './ops/program';

// Operator CLI: `npm run ops -- <command>` (see `npm run ops -- --help`). `.env` fills gaps, real variables win.
dotenv.config({ quiet: true });
void runCli(process.argv).then((code) => {
  process.exitCode = code;
});

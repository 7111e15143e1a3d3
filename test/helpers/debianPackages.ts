import fs from 'node:fs';
import { findPostgresBinDir } from '../../tools/cluster/postgres';

/** A Debian package some tests need, besides Node, npm and Go. `.ci/run` installs the same list (APT_PACKAGES). */
export interface TestPackage {
  name: string;
  /** What needs it, for the message. */
  neededBy: string;
  /** Whether this machine has what the tests use from it. */
  present(): Promise<boolean>;
}

export const CHROMIUM = '/usr/bin/chromium';
export const PROMTOOL = '/usr/bin/promtool';

export const TEST_PACKAGES: readonly TestPackage[] = [
  {
    name: 'chromium',
    neededBy: `the Web UI test (headless ${CHROMIUM})`,
    present: () => Promise.resolve(fs.existsSync(CHROMIUM)),
  },
  {
    name: 'postgresql',
    neededBy: 'the local cluster and its tests (initdb, pg_ctl, psql)',
    present: () =>
      findPostgresBinDir('/nonexistent').then(
        () => true,
        () => false,
      ),
  },
  {
    name: 'prometheus',
    neededBy: `the alert rules' checks (${PROMTOOL})`,
    present: () => Promise.resolve(fs.existsSync(PROMTOOL)),
  },
];

/** The one line that installs the packages (README's, without sudo when run as root). */
export function aptInstallLine(names: readonly string[]): string {
  return `apt-get install -y --no-install-recommends ${names.join(' ')}`;
}

/** What a test says when packages are missing: each one, what needs it, and the command that installs them. */
export function missingPackagesMessage(missing: readonly TestPackage[]): string {
  return [
    `This machine lacks ${missing.length === 1 ? 'a Debian package' : 'Debian packages'} npm test needs:`,
    ...missing.map((p) => `  ${p.name}: ${p.neededBy}`),
    `Install ${missing.length === 1 ? 'it' : 'them'} (as root, or with sudo): ${aptInstallLine(missing.map((p) => p.name))}`,
  ].join('\n');
}

/** Fails the calling test, naming the package and the install command, when `name` is missing. */
export async function requirePackage(name: string): Promise<void> {
  const pkg = TEST_PACKAGES.find((p) => p.name === name);
  if (!pkg) throw new Error(`unknown test package ${name}`);
  if (!(await pkg.present())) throw new Error(missingPackagesMessage([pkg]));
}

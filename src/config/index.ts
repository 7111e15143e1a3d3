import dotenv from 'dotenv';
import type { z } from 'zod';
import { adminSection } from './admin';
import { ConfigError } from './fields';
import { issuanceSection } from './issuance';
import { payoutsSection } from './payouts';
import { recoverySection } from './recovery';
import type { Section } from './section';
import { starkSection } from './stark';
import { temporalSection } from './temporal';
import { webhookSection } from './webhook';

// Every setting of the product, read from the environment (and an optional `.env`), one section per file.

export { ConfigError } from './fields';
export type { IssuanceConfig } from './issuance';
export { LOCAL_DEV_FILE, loadOpsTemporalConfig, type LocalDev, type OpsTemporalConfig } from './ops';

const SECTIONS = {
  temporal: temporalSection,
  stark: starkSection,
  payouts: payoutsSection,
  issuance: issuanceSection,
  recovery: recoverySection,
  admin: adminSection,
  webhook: webhookSection,
};
type Sections = typeof SECTIONS;
export type SectionName = keyof Sections;
const ALL_SECTIONS = Object.keys(SECTIONS) as SectionName[];

// The parts of several sections as one object type: the union of their types turned into an intersection.
type Merged<U> = (U extends unknown ? (part: U) => void : never) extends (all: infer I) => void ? I : never;
export type ConfigOf<N extends SectionName> = Merged<ReturnType<Sections[N]['build']>>;
export type Config = ConfigOf<SectionName>;
type Variables = Merged<z.output<Sections[SectionName]['schema']>>;

/** Every variable the product reads itself (Temporal's own TEMPORAL_* connection variables come on top). */
export const CONFIG_VARIABLES = Object.values(SECTIONS).flatMap((section) => Object.keys(section.schema.shape));

/** Loads and validates every section; throws one ConfigError naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = readEnvWithDotenv()): Config {
  return loadSections(ALL_SECTIONS, env);
}

/** Loads only the sections an entry point uses: a command that never calls Stark Bank needs no Stark Bank key. */
export function loadSections<N extends SectionName>(
  names: readonly N[],
  env: NodeJS.ProcessEnv = readEnvWithDotenv(),
): ConfigOf<N> {
  const problems: string[] = [];
  const parts = names.map((name) => {
    const section: Section = SECTIONS[name];
    const parsed = section.schema.safeParse(env);
    if (parsed.success) return section.build(parsed.data, problems, env);
    problems.push(...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    return {};
  });
  if (problems.length > 0) throw ConfigError.of(problems);
  return Object.assign({}, ...parts) as ConfigOf<N>;
}

/** The default of a setting as its section declares it, for tools that show it without loading everything. */
export function settingDefault<K extends keyof Variables>(name: K): Variables[K] {
  for (const section of Object.values(SECTIONS)) {
    const shape: Record<string, z.ZodType> = section.schema.shape;
    if (name in shape) return shape[name]!.parse(undefined) as Variables[K];
  }
  throw new Error(`no setting ${name}`);
}

function readEnvWithDotenv(): NodeJS.ProcessEnv {
  // .env fills gaps only; real environment variables win.
  dotenv.config({ quiet: true });
  return process.env;
}

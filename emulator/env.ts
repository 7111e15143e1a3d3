import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { EmulatorOptions } from './contract';
import { behaviourShape, faultPatchSchema, type BehaviourSettings } from './settings';

/** `payDelayMinMs` -> `EMULATOR_PAY_DELAY_MIN_MS`: every behaviour setting has an environment variable. */
export function behaviourEnvName(key: string): string {
  return `EMULATOR_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** A PEM given inline or as a path to a file holding it. */
function pemOrFile(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

const projectsSchema = z.string().transform((value, ctx): Record<string, string> => {
  try {
    const entries: [string, string][] = value.trim().startsWith('{')
      ? Object.entries(z.record(z.string(), z.string()).parse(JSON.parse(value)))
      : value.split(',').map((pair) => {
          const [id, file] = pair.split('=').map((s) => s.trim());
          if (!id || !file) throw new Error(`"${pair}" is not id=path.pem`);
          return [id, file];
        });
    return Object.fromEntries(entries.map(([id, key]) => [id, pemOrFile(key)]));
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `expected JSON {"id": "PEM or path"} or id=path.pem,...: ${String(error)}`,
    });
    return z.NEVER;
  }
});

const jsonFaults = z.string().transform((value, ctx) => {
  try {
    return faultPatchSchema.parse(JSON.parse(value));
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `expected JSON fault settings: ${String(error)}` });
    return z.NEVER;
  }
});

const number = z.coerce.number();

export const emulatorEnvSchema = z.object({
  EMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  EMULATOR_DATA_DIR: z.string().min(1).default('.data/emulator'),
  EMULATOR_STATE_FILE: z.string().min(1).optional(),
  EMULATOR_SEED: z.string().min(1).optional(),
  EMULATOR_PROJECTS: projectsSchema.optional(),
  EMULATOR_WORKSPACE_ID: z.string().regex(/^\d+$/).optional(),
  EMULATOR_INITIAL_BALANCE: z.coerce.number().int().nonnegative().optional(),
  EMULATOR_ACCESS_TIME_SKEW_SECONDS: z.coerce.number().positive().optional(),
  EMULATOR_DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  EMULATOR_EVENT_PRIVATE_KEY: z.string().transform(pemOrFile).optional(),
  EMULATOR_FAULTS: jsonFaults.optional(),
  EMULATOR_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...Object.fromEntries(Object.keys(behaviourShape.shape).map((key) => [behaviourEnvName(key), number.optional()])),
});

export interface EmulatorEnv {
  options: Partial<EmulatorOptions>;
  dataDir: string;
  logLevel: string;
}

/** Reads the emulator's settings from the environment; throws one error naming every bad variable. */
export function readEmulatorEnv(env: NodeJS.ProcessEnv = process.env): EmulatorEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('EMULATOR_') && v !== ''));
  const parsed = emulatorEnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid emulator settings:\n${problems}`);
  }
  const e = parsed.data as z.infer<typeof emulatorEnvSchema> & Record<string, number | undefined>;
  const behaviour: Partial<BehaviourSettings> = {};
  for (const key of Object.keys(behaviourShape.shape) as (keyof BehaviourSettings)[]) {
    const value = e[behaviourEnvName(key)];
    if (value !== undefined) behaviour[key] = value;
  }
  const options: Partial<EmulatorOptions> = {
    host: e.EMULATOR_HOST,
    port: e.EMULATOR_PORT,
    behaviour,
    ...(e.EMULATOR_STATE_FILE && { stateFile: e.EMULATOR_STATE_FILE }),
    ...(e.EMULATOR_SEED && { seed: e.EMULATOR_SEED }),
    ...(e.EMULATOR_PROJECTS && { projects: e.EMULATOR_PROJECTS }),
    ...(e.EMULATOR_WORKSPACE_ID && { workspaceId: e.EMULATOR_WORKSPACE_ID }),
    ...(e.EMULATOR_INITIAL_BALANCE !== undefined && { initialBalance: e.EMULATOR_INITIAL_BALANCE }),
    ...(e.EMULATOR_ACCESS_TIME_SKEW_SECONDS && { accessTimeSkewSeconds: e.EMULATOR_ACCESS_TIME_SKEW_SECONDS }),
    ...(e.EMULATOR_DELIVERY_TIMEOUT_MS && { deliveryTimeoutMs: e.EMULATOR_DELIVERY_TIMEOUT_MS }),
    ...(e.EMULATOR_EVENT_PRIVATE_KEY && { eventPrivateKeyPem: e.EMULATOR_EVENT_PRIVATE_KEY }),
    ...(e.EMULATOR_FAULTS && { faults: e.EMULATOR_FAULTS }),
  };
  return { options, dataDir: e.EMULATOR_DATA_DIR, logLevel: e.EMULATOR_LOG_LEVEL };
}

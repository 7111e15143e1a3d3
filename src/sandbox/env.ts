import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SandboxOptions } from './contract';
import { behaviourShape, faultPatchSchema, type BehaviourSettings } from './settings';

/** `payDelayMinMs` -> `SANDBOX_PAY_DELAY_MIN_MS`: every behaviour setting has an environment variable. */
export function behaviourEnvName(key: string): string {
  return `SANDBOX_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
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

export const sandboxEnvSchema = z.object({
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  SANDBOX_DATA_DIR: z.string().min(1).default('.data/sandbox'),
  SANDBOX_STATE_FILE: z.string().min(1).optional(),
  SANDBOX_SEED: z.string().min(1).optional(),
  SANDBOX_PROJECTS: projectsSchema.optional(),
  SANDBOX_WORKSPACE_ID: z.string().regex(/^\d+$/).optional(),
  SANDBOX_INITIAL_BALANCE: z.coerce.number().int().nonnegative().optional(),
  SANDBOX_ACCESS_TIME_SKEW_SECONDS: z.coerce.number().positive().optional(),
  SANDBOX_DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  SANDBOX_EVENT_PRIVATE_KEY: z.string().transform(pemOrFile).optional(),
  SANDBOX_FAULTS: jsonFaults.optional(),
  SANDBOX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...Object.fromEntries(Object.keys(behaviourShape.shape).map((key) => [behaviourEnvName(key), number.optional()])),
});

export interface SandboxEnv {
  options: Partial<SandboxOptions>;
  dataDir: string;
  logLevel: string;
}

/** Reads the emulator's settings from the environment; throws one error naming every bad variable. */
export function readSandboxEnv(env: NodeJS.ProcessEnv = process.env): SandboxEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SANDBOX_') && v !== ''));
  const parsed = sandboxEnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid sandbox settings:\n${problems}`);
  }
  const e = parsed.data as z.infer<typeof sandboxEnvSchema> & Record<string, number | undefined>;
  const behaviour: Partial<BehaviourSettings> = {};
  for (const key of Object.keys(behaviourShape.shape) as (keyof BehaviourSettings)[]) {
    const value = e[behaviourEnvName(key)];
    if (value !== undefined) behaviour[key] = value;
  }
  const options: Partial<SandboxOptions> = {
    host: e.SANDBOX_HOST,
    port: e.SANDBOX_PORT,
    behaviour,
    ...(e.SANDBOX_STATE_FILE && { stateFile: e.SANDBOX_STATE_FILE }),
    ...(e.SANDBOX_SEED && { seed: e.SANDBOX_SEED }),
    ...(e.SANDBOX_PROJECTS && { projects: e.SANDBOX_PROJECTS }),
    ...(e.SANDBOX_WORKSPACE_ID && { workspaceId: e.SANDBOX_WORKSPACE_ID }),
    ...(e.SANDBOX_INITIAL_BALANCE !== undefined && { initialBalance: e.SANDBOX_INITIAL_BALANCE }),
    ...(e.SANDBOX_ACCESS_TIME_SKEW_SECONDS && { accessTimeSkewSeconds: e.SANDBOX_ACCESS_TIME_SKEW_SECONDS }),
    ...(e.SANDBOX_DELIVERY_TIMEOUT_MS && { deliveryTimeoutMs: e.SANDBOX_DELIVERY_TIMEOUT_MS }),
    ...(e.SANDBOX_EVENT_PRIVATE_KEY && { eventPrivateKeyPem: e.SANDBOX_EVENT_PRIVATE_KEY }),
    ...(e.SANDBOX_FAULTS && { faults: e.SANDBOX_FAULTS }),
  };
  return { options, dataDir: e.SANDBOX_DATA_DIR, logLevel: e.SANDBOX_LOG_LEVEL };
}

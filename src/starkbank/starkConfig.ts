/** How this process reaches Stark Bank (config/stark.ts reads it from the environment). */
export interface StarkConfig {
  environment: 'sandbox' | 'production';
  projectId: string;
  privateKey: string;
  workspaceId?: string;
  httpTimeoutMs: number;
  /** How long after a lost answer a late commit can still appear: a write's retry waits that long for it. */
  lateCommitMs: number;
  emulator?: { host: string; port: number; caPem: string };
}

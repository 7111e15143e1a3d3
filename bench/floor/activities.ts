/** The floor's local activity: no I/O, so what it costs is the SDK's and the engine's alone. */
export function touch(): Promise<string> {
  return Promise.resolve('touched');
}

/** The payout-shaped workflow's activity, where a payout creates its transfer: no I/O either. */
export function send(): Promise<string> {
  return Promise.resolve('sent');
}

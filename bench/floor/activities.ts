/** The floor's local activity: no I/O, so what it costs is the SDK's and the engine's alone. */
export function touch(): Promise<string> {
  return Promise.resolve('touched');
}

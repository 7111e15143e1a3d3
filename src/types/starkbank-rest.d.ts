// The SDK's own public-key fetch (the one event.parse uses); the package ships no typings for it.
declare module 'starkbank/sdk/utils/rest.js' {
  export function getPublicKey(user: unknown): Promise<string>;
}

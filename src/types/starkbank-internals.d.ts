// The SDK's own public-key fetch (the one event.parse uses); the package ships no typings for it.
declare module 'starkbank/sdk/utils/rest.js' {
  export function getPublicKey(user: unknown): Promise<string>;
}

// The error classes the SDK really throws for API errors (starkbank.error's are different classes).
declare module 'starkcore/starkcore/error.js' {
  export class InputErrors extends Error {
    constructor(content: { errors: { code: string; message: string }[] }, status?: number);
    status: number;
    errors: { code: string; message: string; status: number }[];
  }
  export class InternalServerError extends Error {
    constructor(content: unknown, status?: number);
    status: number;
  }
}

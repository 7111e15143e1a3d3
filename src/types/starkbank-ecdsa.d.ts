// The SDK's ECDSA library ships no typings; only what this project uses.
declare module 'starkbank-ecdsa' {
  interface BigInteger {
    toString(radix?: number): string;
  }
  const Ellipticcurve: {
    PublicKey: { fromPem(pem: string): unknown };
    Signature: { fromBase64(signature: string): { r: BigInteger; s: BigInteger } };
  };
  export default Ellipticcurve;
}

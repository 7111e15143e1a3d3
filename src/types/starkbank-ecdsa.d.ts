// The SDK's ECDSA library ships no typings; only what this project uses.
declare module 'starkbank-ecdsa' {
  interface BigInteger {
    toString(radix?: number): string;
  }
  export interface Signature {
    r: BigInteger;
    s: BigInteger;
    toBase64(): string;
  }
  /** A parsed private key; opaque here. */
  type PrivateKey = object;
  const Ellipticcurve: {
    PublicKey: { fromPem(pem: string): unknown };
    PrivateKey: { fromPem(pem: string): PrivateKey };
    Signature: { fromBase64(signature: string): Signature };
    Ecdsa: {
      sign(message: string, privateKey: PrivateKey, hashfunc?: string): Signature;
      verify(message: string, signature: Signature, publicKey: unknown): boolean;
    };
  };
  export default Ellipticcurve;
}

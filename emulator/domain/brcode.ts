/** CRC16/CCITT-FALSE, the checksum that closes every Pix BR Code (field 63). */
function crc16(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** A dynamic Pix BR Code shaped like the sandbox's, pointing at a made-up payload location. */
export function pixBrcode(uuid: string): string {
  const field = (id: string, value: string): string => `${id}${String(value.length).padStart(2, '0')}${value}`;
  const account = field('00', 'br.gov.bcb.pix') + field('25', `brcode-h.emulator.starkinfra.com/v2/${uuid}`);
  const payload =
    field('00', '01') +
    field('01', '12') +
    field('26', account) +
    field('52', '0000') +
    field('53', '986') +
    field('58', 'BR') +
    field('59', 'Stark Bank S.A. - Institu') +
    field('60', 'Sao Paulo') +
    field('62', field('05', '***')) +
    '6304';
  return payload + crc16(payload);
}

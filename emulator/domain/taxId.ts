import { cnpj, cpf } from 'cpf-cnpj-validator';

/** Digits of a CPF (11) or CNPJ (14) with valid check digits, formatted or not; undefined otherwise. */
function digitsOfValidTaxId(value: string): string | undefined {
  if (!/^[\d./-]+$/.test(value)) return undefined;
  const digits = value.replace(/\D/g, '');
  if (digits.length === 11 && cpf.isValid(digits)) return digits;
  if (digits.length === 14 && cnpj.isValid(digits)) return digits;
  return undefined;
}

export function isValidTaxId(value: string): boolean {
  return digitsOfValidTaxId(value) !== undefined;
}

/** The API echoes tax IDs formatted (`012.345.678-90`, `20.018.183/0001-80`) whatever was sent. */
export function formatTaxId(value: string): string {
  const digits = digitsOfValidTaxId(value);
  if (!digits) return value;
  return digits.length === 11 ? cpf.format(digits) : cnpj.format(digits);
}

import { z } from 'zod';
import { isTimeZone } from '../domain/businessDay';
import { MISSION_DESTINATION, type Destination } from '../domain/destination';
import { cents, optionalCents } from './fields';
import { defineSection } from './section';

const schema = z.object({
  PAYOUT_NAME: z.string().min(1).default(MISSION_DESTINATION.name),
  PAYOUT_TAX_ID: z.string().min(1).default(MISSION_DESTINATION.taxId),
  PAYOUT_BANK_CODE: z
    .string()
    .regex(/^\d{3,8}$/)
    .default(MISSION_DESTINATION.bankCode),
  PAYOUT_BRANCH_CODE: z.string().min(1).default(MISSION_DESTINATION.branchCode),
  PAYOUT_ACCOUNT_NUMBER: z.string().min(1).default(MISSION_DESTINATION.accountNumber),
  PAYOUT_ACCOUNT_TYPE: z.enum(['checking', 'savings', 'salary', 'payment']).default(MISSION_DESTINATION.accountType),
  PAYOUT_MAX_AMOUNT_CENTS: cents(1_000_000),
  PAYOUT_DAILY_MAX_CENTS: cents(10_000_000),
  PAYOUT_SECOND_APPROVAL_CENTS: optionalCents,
  PAYOUT_DAY_TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'expected an IANA time zone such as America/Sao_Paulo')
    .default('America/Sao_Paulo'),
});

export const payoutsSection = defineSection(schema, (e) => ({
  destination: {
    name: e.PAYOUT_NAME,
    taxId: e.PAYOUT_TAX_ID,
    bankCode: e.PAYOUT_BANK_CODE,
    branchCode: e.PAYOUT_BRANCH_CODE,
    accountNumber: e.PAYOUT_ACCOUNT_NUMBER,
    accountType: e.PAYOUT_ACCOUNT_TYPE,
  } satisfies Destination,
  guardrails: {
    maxAmountCents: e.PAYOUT_MAX_AMOUNT_CENTS,
    dailyMaxCents: e.PAYOUT_DAILY_MAX_CENTS,
    /** Four eyes: above it a payout needs approvals from two different operators; off when unset. */
    ...(e.PAYOUT_SECOND_APPROVAL_CENTS !== undefined && { secondApprovalCents: e.PAYOUT_SECOND_APPROVAL_CENTS }),
  },
  /** Stark Bank's business day, for the daily maximum: the calendar day in this time zone. */
  payoutDayTimeZone: e.PAYOUT_DAY_TIME_ZONE,
}));

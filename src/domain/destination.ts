/** The bank account every payout goes to. Configurable, but defaults to the mission's pinned account. */
export interface Destination {
  name: string;
  taxId: string;
  bankCode: string;
  branchCode: string;
  accountNumber: string;
  accountType: 'checking' | 'savings' | 'salary' | 'payment';
}

export const MISSION_DESTINATION: Destination = {
  name: 'Stark Bank S.A.',
  taxId: '20.018.183/0001-80',
  bankCode: '20018183',
  branchCode: '0001',
  accountNumber: '6341320293482496',
  accountType: 'payment',
};

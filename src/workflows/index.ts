// Every workflow the worker registers (its workflowsPath points here).
export { dailyBudget } from './dailyBudget';
export { gaugeLease } from './gaugeLease';
export { decisionRecord } from './decisionRecord';
export { issueInvoices } from './issueInvoices';
export { lookUpInvoice } from './invoiceLookup';
export { payout } from './payout';
export { pauseSwitch } from './pauseSwitch';
export { reconcilePayouts, sweepEvents } from './recovery';

// Every workflow the worker registers (its workflowsPath points here).
export { issueInvoices } from './issueInvoices';
export { payout } from './payout';
export { payoutsControl } from './payoutsControl';
export { reconcilePayouts, sweepEvents } from './recovery';

// Every workflow the worker registers (its workflowsPath points here).
export { payout } from './payout';
export { payoutsControl } from './payoutsControl';

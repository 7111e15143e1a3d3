import assert from 'node:assert/strict';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  RetryState,
  ServerFailure,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { ErrorTypes } from '../../src/domain/errorTypes';
import { setbackOf } from '../../src/workflows/setback';

const activityFailed = (cause: Error) =>
  new ActivityFailure('Activity task failed', 'createTransfer', '7', RetryState.MAXIMUM_ATTEMPTS_REACHED, '', cause);

describe('a payout step that failed', () => {
  it('asks a person when an activity timed out on its last attempt, instead of failing the payout', () => {
    const timedOut = activityFailed(
      new TimeoutFailure('activity StartToClose timeout', undefined, TimeoutType.START_TO_CLOSE),
    );
    const setback = setbackOf(timedOut);
    assert.equal(setback.kind, 'person');
    assert.match(setback.message, /Activity task failed: activity StartToClose timeout/);
    // A local activity's timeout arrives bare.
    assert.equal(
      setbackOf(new TimeoutFailure('local activity timed out', undefined, TimeoutType.SCHEDULE_TO_CLOSE)).kind,
      'person',
    );
    assert.equal(setbackOf(activityFailed(new ServerFailure('history service unavailable', false))).kind, 'person');
  });

  it('lets a cancellation and a bug in the workflow itself through', () => {
    const cancelled = activityFailed(new CancelledFailure('cancelled'));
    assert.throws(
      () => setbackOf(cancelled),
      (err) => err === cancelled,
    );
    const bug = new TypeError("Cannot read properties of undefined (reading 'amount')");
    assert.throws(
      () => setbackOf(bug),
      (err) => err === bug,
    );
  });

  it('waits out an outage, and asks a person for everything else', () => {
    const failure = (type: string) => activityFailed(ApplicationFailure.create({ type, message: `${type} happened` }));
    assert.equal(setbackOf(failure(ErrorTypes.transient)).kind, 'transient');
    for (const type of [ErrorTypes.unexpected, ErrorTypes.input, ErrorTypes.unexpectedState, 'Error']) {
      const setback = setbackOf(failure(type));
      assert.deepEqual([setback.kind, setback.errorType, setback.message], ['person', type, `${type} happened`]);
    }
    // A local activity's failure arrives bare.
    assert.equal(
      setbackOf(ApplicationFailure.create({ type: ErrorTypes.transient, message: 'down' })).kind,
      'transient',
    );
  });
});

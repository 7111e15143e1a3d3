import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { IssuanceResult } from '../../../src/domain/issuance';
import { withPayoutWorker } from '../../helpers/payouts';
import { useTestEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/temporal';
import { RUN_PAYLOAD_KEYS } from '../../../testkit/payloadKeys';
import { runCli, runCliOk, temporalEnv } from './run';

interface StatusJson {
  scheduleId: string;
  interval?: string;
  paused: boolean;
  note?: string;
  nextRuns: string[];
  recentRuns: { workflowId: string; scheduledAt: string; status: string; invoices?: number; totalCents?: number }[];
}

describe('ops CLI: schedule (real process, real Temporal, emulator)', function () {
  this.timeout(120_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it('ensures the schedule, pauses and resumes it, triggers a run and reports it', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      const scheduleId = `issue-invoices-${randomUUID()}`;
      const env = {
        ...(await temporalEnv(ctx.taskQueue)),
        ISSUANCE_SCHEDULE_ID: scheduleId,
        ISSUANCE_COUNT_MIN: '1',
        ISSUANCE_COUNT_MAX: '2',
      };
      // Only `ensure` needs configuration sections (Temporal with the payload keys, issuance), never Stark Bank's;
      // the other commands go through the codec server.
      const full = { ...env, PAYLOAD_KEYS: RUN_PAYLOAD_KEYS };
      const schedule = ctx.client.schedule.getHandle(scheduleId);
      try {
        const [missing, unconfigured] = await Promise.all([
          runCli(['schedule', 'status'], env),
          runCli(['schedule', 'ensure'], env),
        ]);
        assert.equal(missing.code, 1);
        assert.equal(missing.stderr, `error: no schedule ${scheduleId} (create it with "schedule ensure")\n`);
        assert.equal(unconfigured.code, 1);
        assert.match(unconfigured.stderr, /^error: Invalid configuration: PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: required/);
        assert.doesNotMatch(unconfigured.stderr, /STARK/);

        assert.equal(await runCliOk(['schedule', 'ensure'], full), `Schedule ${scheduleId} created (every 3h).\n`);
        const updated = await runCliOk(['schedule', 'ensure', '--json'], { ...full, ISSUANCE_INTERVAL: '2h' });
        assert.deepEqual(JSON.parse(updated), { scheduleId, outcome: 'updated', interval: '2h' });

        const paused = await runCliOk(['schedule', 'pause', '--note', 'bank holiday'], env);
        assert.equal(paused, `Schedule ${scheduleId} paused: bank holiday\n`);
        const status = await runCliOk(['schedule', 'status'], env);
        assert.match(status, /^Every:\s+2h$/m);
        assert.match(status, /^Paused:\s+yes$/m);
        assert.match(status, /^Note:\s+bank holiday$/m);
        assert.match(status, /^No runs yet\.$/m);

        const resumed = await runCliOk(['schedule', 'resume', '--note', 'back to work'], env);
        assert.equal(resumed, `Schedule ${scheduleId} resumed: back to work\n`);
        const triggered = await runCliOk(['schedule', 'trigger', '--json'], env);
        assert.deepEqual(JSON.parse(triggered), { scheduleId, triggered: true, overlap: 'SKIP' });

        const run = await eventually(
          async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId,
          { timeoutMs: 20_000, what: 'the triggered run' },
        );
        const result = (await ctx.client.workflow.getHandle(run).result()) as IssuanceResult;
        const report = JSON.parse(
          await runCliOk(['--json', 'schedule', '--id', scheduleId, 'status'], env),
        ) as StatusJson;
        assert.equal(report.scheduleId, scheduleId);
        assert.equal(report.interval, '2h');
        assert.equal(report.paused, false);
        assert.equal(report.note, 'back to work');
        assert.ok(report.nextRuns.length > 0, 'an unpaused schedule has next runs');
        assert.ok(report.nextRuns.every((t) => Date.parse(t) > Date.now()));
        assert.deepEqual(report.recentRuns, [
          {
            workflowId: run,
            scheduledAt: report.recentRuns[0]?.scheduledAt,
            status: 'COMPLETED',
            invoices: result.count,
            totalCents: result.totalCents,
          },
        ]);
        assert.ok(result.count >= 1 && result.count <= 2);
      } finally {
        await schedule.delete().catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
      }
    });
  });

  // The server keeps one pending change per schedule: a resume followed in the same instant by a trigger from
  // someone else is dropped without an error, and the command must notice and send it again.
  it('resumes the schedule even while other changes reach it in the same instant', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      const scheduleId = `issue-invoices-${randomUUID()}`;
      const env = { ...(await temporalEnv(ctx.taskQueue)), ISSUANCE_SCHEDULE_ID: scheduleId };
      const full = {
        ...env,
        STARK_PROJECT_ID: stark.projectId,
        STARK_PRIVATE_KEY: stark.privateKeyPem,
        PAYLOAD_KEYS: RUN_PAYLOAD_KEYS,
      };
      const schedule = ctx.client.schedule.getHandle(scheduleId);
      try {
        await runCliOk(['schedule', 'ensure'], { ...full, ISSUANCE_COUNT_MIN: '1', ISSUANCE_COUNT_MAX: '1' });
        await schedule.pause('night');
        let resuming = true;
        const others = (async () => {
          while (resuming) await Promise.all([1, 2, 3, 4].map(() => schedule.trigger()));
        })();
        const resumed = await runCli(['schedule', 'resume', '--note', 'morning'], env).finally(() => {
          resuming = false;
        });
        await others;
        assert.equal(resumed.code, 0, resumed.stderr);
        const { state } = await schedule.describe();
        assert.equal(state.paused, false);
      } finally {
        await schedule.delete().catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
      }
    });
  });
});

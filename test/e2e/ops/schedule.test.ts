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
  // A dozen CLI processes, each starting the CLI under tsx: seconds each on a loaded machine.
  this.timeout(300_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it('ensures the schedule; pauses, triggers and resumes it as a named operator, in the audit trail', async () => {
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

        // Every action names who acts: none, or a blank name, is refused before anything changes.
        const [unnamed, blank] = await Promise.all([
          runCli(['schedule', 'pause', '--note', 'bank holiday'], env),
          runCli(['schedule', 'trigger', '--operator', '   '], env),
        ]);
        assert.equal(unnamed.code, 2, 'a missing --operator is a usage error');
        assert.match(unnamed.stderr, /required option '--operator <name>' not specified/);
        assert.equal(blank.code, 2, 'a blank --operator is a usage error');
        assert.match(blank.stderr, /the operator must not be blank/);
        assert.equal((await schedule.describe()).info.recentActions.length, 0, 'a refused trigger started nothing');

        const paused = await runCliOk(['schedule', 'pause', '--operator', 'ana', '--note', 'bank holiday'], env);
        assert.equal(paused, `Schedule ${scheduleId} paused by ana: bank holiday\n`);
        const status = await runCliOk(['schedule', 'status'], env);
        assert.match(status, /^Every:\s+2h$/m);
        assert.match(status, /^Paused:\s+yes$/m);
        assert.match(status, /^Note:\s+ana: bank holiday$/m);
        assert.match(status, /^No runs yet\.$/m);

        // A trigger while paused starts its run, and warns that the schedule itself stays paused.
        const triggered = await runCli(['schedule', 'trigger', '--operator', 'bia', '--json'], env);
        assert.equal(triggered.code, 0, triggered.stderr);
        assert.deepEqual(JSON.parse(triggered.stdout), {
          scheduleId,
          triggered: true,
          overlap: 'SKIP',
          operator: 'bia',
          schedulePaused: true,
        });
        // On stderr, as JSON like errors with --json (the text says `warning: ` and the same).
        assert.deepEqual(JSON.parse(triggered.stderr), {
          warning:
            `schedule ${scheduleId} is paused (ana: bank holiday); this run starts anyway and the schedule stays ` +
            'paused until "schedule resume"',
        });
        assert.equal((await schedule.describe()).state.paused, true);

        const resumed = await runCliOk(['schedule', 'resume', '--operator', 'ana', '--note', 'back to work'], env);
        assert.equal(resumed, `Schedule ${scheduleId} resumed by ana: back to work\n`);

        // The audit trail keeps each action, with who sent it, after the Schedule's note has moved on.
        const audit = JSON.parse(await runCliOk(['audit', '--json'], env)) as {
          action: string;
          operator: string;
          caller?: string;
          note?: string;
          scheduleId?: string;
        }[];
        const actions = audit.filter((e) => e.scheduleId === scheduleId);
        assert.deepEqual(
          actions.map((e) => [e.action, e.operator, e.note]),
          [
            ['schedule-resume', 'ana', 'back to work'],
            ['schedule-trigger', 'bia', 'while the schedule was paused'],
            ['schedule-pause', 'ana', 'bank holiday'],
          ],
        );
        assert.ok(
          actions.every((e) => /^ops /.test(e.caller ?? '')),
          JSON.stringify(actions),
        );
        assert.match(
          await runCliOk(['audit'], env),
          new RegExp(`^\\S+\\s+schedule-trigger ${scheduleId}\\s+bia\\s`, 'm'),
        );

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
        assert.equal(report.note, 'ana: back to work');
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
        const triggered = await runCli(['schedule', 'trigger', '--operator', 'ana'], env);
        assert.equal(triggered.code, 0, triggered.stderr);
        assert.equal(triggered.stdout, `Triggered schedule ${scheduleId} (overlap SKIP) by ana.\n`);
        assert.equal(
          triggered.stderr,
          `warning: schedule ${scheduleId} is paused (night); this run starts anyway and the schedule stays paused ` +
            'until "schedule resume"\n',
        );
        let resuming = true;
        const others = (async () => {
          while (resuming) await Promise.all([1, 2, 3, 4].map(() => schedule.trigger()));
        })();
        const resumed = await runCli(['schedule', 'resume', '--operator', 'ana', '--note', 'morning'], env).finally(
          () => {
            resuming = false;
          },
        );
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

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { payoutWorkflowId } from '../../src/domain/payoutIds';
import { ENCRYPTED_ENCODING } from '../../src/temporal/payloadCodec';
import type { PayoutState } from '../../src/workflows/payoutDefinitions';
import { createInvoice, creditAndDispatch, creditedEventOf, waitForStatus, withPayoutWorker } from '../helpers/payouts';
import { startTestEmulator, type TestEmulator } from '../../testkit/emulator';
import { eventually, getTestEnv, getTestUiUrl } from '../helpers/temporal';
import { CHROMIUM, requirePackage } from '../helpers/debianPackages';
import { runCliOk, temporalEnv } from './ops/run';

// Debian's Chromium (`apt-get install chromium`); playwright-core never downloads browsers here.
const CHROMIUM_ARGS = [
  '--no-emulator',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // The CI network is closed: no update checks, field trials, component downloads or sync that would stall.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const SCREENSHOT = path.join(ARTIFACTS, 'webui-payout.png');
/** Per UI step; the dev server's UI answers in milliseconds, so this only bounds a broken page. */
const UI_TIMEOUT_MS = 20_000;

describe('Temporal Web UI shows a payout (real Temporal Web UI, headless Chromium)', function () {
  this.timeout(120_000);
  let stark: TestEmulator | undefined;
  let browser: Browser | undefined;

  before(async () => {
    stark = await startTestEmulator({ seed: randomUUID(), behaviour: { timeScale: 0.01, payShare: 0 } });
  });
  after(async () => {
    await browser?.close();
    await stark?.close();
  });

  it('finds the completed payout by InvoiceId and shows its decoded input and result, summary and PayoutStatus', async () => {
    await requirePackage('chromium');
    const s = stark!;

    // 1. One payout to completion, exactly as the webhook would start it.
    const invoiceId = await createInvoice(s.user, 8_000);
    const workflowId = payoutWorkflowId(invoiceId);
    const summary = `Payout of credited invoice ${invoiceId}`;
    const query = `InvoiceId="${invoiceId}"`;
    await withPayoutWorker(s, async (ctx) => {
      s.emulator.payInvoice(invoiceId, { fee: 25 });
      assert.equal(await ctx.dispatcher.dispatch(creditedEventOf(s.emulator, invoiceId)), 'payout-started-or-signaled');
      const result = (await ctx.client.workflow.getHandle(workflowId).result()) as PayoutState;
      assert.equal(result.status, 'Succeeded');
    });
    // The UI lists from visibility, which can trail the close slightly: wait until the server lists it closed.
    const { client } = await getTestEnv();
    await eventually(
      async () => {
        for await (const wf of client.workflow.list({ query: `${query} AND ExecutionStatus="Completed"` })) {
          if (wf.workflowId === workflowId) return true;
        }
        return undefined;
      },
      { what: `${workflowId} to be listed as completed` },
    );
    // What Temporal stores is ciphertext: only the codec server can show it.
    const started = (await client.workflow.getHandle(workflowId).fetchHistory()).events?.[0];
    const stored = started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.equal(Buffer.from(stored?.metadata?.encoding ?? []).toString(), ENCRYPTED_ENCODING);
    const uiUrl = await getTestUiUrl();
    await eventually(async () => ((await fetch(uiUrl).catch(() => undefined))?.ok ? true : undefined), {
      what: `the Temporal Web UI at ${uiUrl}`,
    });

    // 2. A fresh headless Chromium (chromium.launch uses a throw-away profile dir).
    browser = await launch();
    const page: Page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await mkdir(ARTIFACTS, { recursive: true });
    try {
      // 3. The namespace's workflow list, filtered by the visibility query in the URL.
      await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
      // The query from the URL became the UI's filter chip (InvoiceId = "<id>").
      await page
        .locator('button[aria-controls^="dropdown-filter-chip-InvoiceId"]')
        .filter({ hasText: `"${invoiceId}"` })
        .waitFor();
      const rows = page.getByTestId('workflows-summary-configurable-table-row');
      const row = rows.filter({ hasText: workflowId });
      await row.waitFor();
      assert.equal(await rows.count(), 1, `the query ${query} lists exactly the payout`);
      await row.getByText('Completed', { exact: true }).waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, 'webui-payout-list.png') });

      // 4. Its detail page, reached by clicking the workflow id.
      await row.getByRole('link', { name: workflowId, exact: true }).click();
      await page.waitForURL(`**/workflows/${workflowId}/**`);
      const header = page.locator('header').filter({ has: page.getByTestId('workflow-id-heading') });
      await header.getByTestId('workflow-id-heading').filter({ hasText: workflowId }).waitFor();
      await header.getByText('Completed', { exact: true }).first().waitFor();

      // Input and result, shown decoded: the UI sent them to the run's codec server (the admin port's /codec).
      const [input, output] = [0, 1].map((i) =>
        page.getByTestId('input-and-result').locator('.cm-content[data-language="json"]').nth(i),
      );
      await output!.filter({ hasText: '"status"' }).waitFor();
      assert.deepEqual(JSON.parse(await input!.innerText()), { invoiceId });
      assert.equal((JSON.parse(await output!.innerText()) as PayoutState).status, 'Succeeded');
      await page.screenshot({ path: path.join(ARTIFACTS, 'webui-payout-decoded.png') });

      // The static summary: UI 2.42.1 renders it (as markdown, in an iframe) under User Metadata > Summary.
      await page.getByTestId('user-metadata-tab').click();
      await page
        .getByTestId('user-metadata-summary-heading')
        .filter({ hasText: /^Summary$/ })
        .waitFor();
      const rendered = page.frameLocator('iframe[title="output"]').first().locator('body');
      await rendered.getByText(summary, { exact: true }).waitFor();
      assert.equal((await rendered.innerText()).trim(), summary);
      await page.screenshot({ path: path.join(ARTIFACTS, 'webui-payout-summary.png') });

      // Search attributes: UI 2.42.1 shows them as a read-only JSON code block.
      await page.getByTestId('search-attributes-tab').click();
      const code = page.locator('.cm-content[data-language="json"]').filter({ hasText: '"PayoutStatus"' });
      await code.waitFor();
      const shown = JSON.parse(await code.innerText()) as { indexedFields?: Record<string, unknown> };
      assert.equal(shown.indexedFields?.PayoutStatus, 'Succeeded');
      assert.equal(shown.indexedFields?.InvoiceId, invoiceId);
      await page.screenshot({ path: SCREENSHOT });
    } catch (error) {
      await page.screenshot({ path: path.join(ARTIFACTS, 'webui-payout-failure.png'), fullPage: true }).catch(() => {});
      throw error;
    }
  });

  it('approves a held payout from the Web UI (Send an Update), and the decision is in ops audit', async () => {
    await requirePackage('chromium');
    const s = stark!;
    await withPayoutWorker(
      s,
      async (ctx) => {
        const held = await creditAndDispatch(s, ctx, 3_000);
        await waitForStatus(held.handle, 'AwaitingApproval');
        const workflowId = payoutWorkflowId(held.invoiceId);
        const uiUrl = await getTestUiUrl();
        browser ??= await launch();
        const page: Page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
        page.setDefaultTimeout(UI_TIMEOUT_MS);
        await mkdir(ARTIFACTS, { recursive: true });
        try {
          // docs/operations.md, "Deciding from the Web UI", step by step.
          await page.goto(`${uiUrl}/namespaces/default/workflows/${workflowId}`);
          await page.getByTestId('workflow-id-heading').filter({ hasText: workflowId }).waitFor();
          await page.getByRole('button', { name: 'More Actions' }).click();
          await page.getByRole('menuitem', { name: 'Send an Update' }).click();
          // The page renders each modal twice; the open one is the one shown.
          const modal = page.locator('dialog[open][data-testid="update-confirmation-modal"]');
          // The UI lists the Updates the payout declares (its metadata query): pick `approve`.
          await modal.getByTestId('update-select-button').click();
          await page.getByRole('option', { name: 'approve', exact: true }).click();
          // Exactly the JSON docs/operations.md shows.
          const decision = { operator: 'ana', note: 'known payer, approved from the Web UI' };
          await modal.locator('.cm-content[contenteditable="true"]').fill(JSON.stringify(decision));
          await page.screenshot({ path: path.join(ARTIFACTS, 'webui-approve.png') });
          // The editor takes the JSON on blur (it reformats it); only then does Submit send it.
          await modal.getByTestId('update-id').click();
          await modal.locator('.cm-content[contenteditable="true"]').filter({ hasText: '"operator": "ana"' }).waitFor();
          await modal.getByRole('button', { name: 'Submit' }).click();
          await modal.waitFor({ state: 'detached' }).catch(() => modal.waitFor({ state: 'hidden' }));

          const result = await held.handle.result();
          assert.equal(result.status, 'Succeeded');
          assert.deepEqual(
            result.decisions.map((d) => [d.action, d.operator, d.note]),
            [['approve', decision.operator, decision.note]],
          );
          // The decision is in the audit trail, as an operator reads it.
          const env = await temporalEnv(ctx.taskQueue);
          const audit = JSON.parse(await runCliOk(['audit', '--invoice', held.invoiceId, '--json'], env)) as {
            action: string;
            operator: string;
            note?: string;
            caller?: string;
          }[];
          assert.deepEqual(
            audit.map((e) => [e.action, e.operator, e.note]),
            [['approve', decision.operator, decision.note]],
          );
          // This Web UI signs nobody in, so its requests carry no identity: the operator named in the JSON stands.
          assert.equal(audit[0]?.caller, undefined);
        } catch (error) {
          await page
            .screenshot({ path: path.join(ARTIFACTS, 'webui-approve-failure.png'), fullPage: true })
            .catch(() => {});
          throw error;
        }
      },
      { maxAmountCents: 2_000, dailyMaxCents: 1_000_000 },
    );
  });
});

function launch(): Promise<Browser> {
  return chromium
    .launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 20_000 })
    .catch((error: unknown) => {
      throw new Error(`could not launch ${CHROMIUM} (is the Debian chromium package installed?)`, { cause: error });
    });
}

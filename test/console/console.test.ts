/**
 * The web console in headless Chromium against a real server: sign-in, the
 * inbox (approve under four-eyes), the instance diagram, job cancellation,
 * deployments and administration, with axe-core on every screen and
 * screenshots in test-artifacts/console/.
 */
import type { Browser, Page } from 'playwright-core';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { TEST_ADMIN_TOKEN } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';
import { collectErrors, describeInBrowser, ensureConsoleBuilt, launchBrowser, screenshot, seriousViolations } from './browser';
import { REVIEW_PROCESS, REVIEW_PROCESS_KEY } from './review-process';

describeInBrowser('web console in Chromium', () => {
  let server: TestServer;
  let submitter: TestUser;
  let reviewer: TestUser;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  const go = async (hash: string) => {
    await page.goto(`${server.stagegate.url}/${hash}`);
  };
  const signIn = async (token: string, name: string) => {
    await go('');
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('me').filter({ hasText: name }).waitFor();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
  };
  /** axe-core finds no serious or critical violation on the screen as it is now. */
  const expectAccessible = async (screen: string) => {
    const violations = await seriousViolations(page);
    expect({ screen, violations }).toEqual({ screen, violations: [] });
  };
  const startReview = async (variables: Record<string, unknown>) => {
    const started = await submitter.api.post(`/api/process-definitions/${REVIEW_PROCESS_KEY}/start`, { businessKey: `churn-${Date.now()}`, variables });
    expect(started.status).toBe(201);
    await server.waitForStatus(started.body.id, 'waiting');
    const [item] = (await server.api.get(`/api/tasks?processInstanceId=${started.body.id}`)).body.items;
    return { instanceId: started.body.id as string, taskId: item.id as string };
  };

  beforeAll(async () => {
    const t0 = Date.now();
    await ensureConsoleBuilt();
    server = await startTestServer({ adminGroups: ['admins'], env: { MAX_ACTIVE_MODELS: '3' } });
    const t1 = Date.now();
    submitter = await createUser(server, ['experiment_contributor'], ['data-science'], 'sofia-submitter');
    reviewer = await createUser(server, ['model_approver'], ['model-approvers'], 'rita-reviewer');
    expect((await server.api.deploy(REVIEW_PROCESS)).status).toBe(201);
    await server.api.put('/api/settings', { approvalNotice: 'Critical models need the risk committee too.' });
    const t2 = Date.now();
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    errors = collectErrors(page);
    console.log(`beforeAll: server ${t1 - t0} ms, users ${t2 - t1} ms, browser ${Date.now() - t2} ms`);
  }, 60000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(() => {
    // CSP violations, failed requests other than the expected 4xx, script errors.
    const unexpected = errors.filter((e) => !/status of (40[0134])/.test(e));
    errors.length = 0;
    expect(unexpected).toEqual([]);
  });

  it('refuses a bad token, signs in with a good one and signs out', async () => {
    await go('');
    await expectAccessible('sign-in');
    await page.getByLabel('API token').fill('sg_not_a_real_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/token/i);
    await screenshot(page, '01-sign-in-refused');

    await signIn(reviewer.token, 'rita-reviewer');
    expect(await page.evaluate<string | null>("sessionStorage.getItem('stagegate.token')")).toBe(reviewer.token);
    await page.reload();
    await page.getByTestId('me').filter({ hasText: 'rita-reviewer' }).waitFor();
    await signOut();
    expect(await page.evaluate<string | null>("sessionStorage.getItem('stagegate.token')")).toBeNull();
  });

  it('approves a work item from the inbox and the diagram highlight moves past the task', async () => {
    const { instanceId, taskId } = await startReview({ model: 'churn', version: 4, importance: 'high', change: 'retrained on October data', testResult: { rocAuc: 0.912345 } });
    await signIn(reviewer.token, 'rita-reviewer');

    const link = page.getByRole('link', { name: 'Approve model version' });
    await link.waitFor();
    await expect(page.locator('tbody tr').filter({ has: link }).textContent()).resolves.toContain('70');
    await expectAccessible('inbox');
    await screenshot(page, '02-inbox');

    await link.click();
    await page.getByText('retrained on October data').waitFor();
    await expect(page.locator('aside.notice').textContent()).resolves.toContain('Critical models need the risk committee too.');
    await expect(page.getByText('0.9123').count()).resolves.toBe(1);
    await expectAccessible('work item');

    // The diagram marks the waiting user task as current.
    await page.getByRole('link', { name: /console-review/ }).click();
    await page.locator('[data-element-id="approve"].sg-current').waitFor();
    await expect(page.locator('[data-element-id="start"].sg-completed').count()).resolves.toBe(1);
    await expect(page.getByTestId('current-activities').textContent()).resolves.toBe('Approve model version');
    await expectAccessible('instance (waiting)');
    await screenshot(page, '03-instance-waiting');

    await go(`#/tasks/${taskId}`);
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByRole('button', { name: 'Unclaim' }).waitFor();
    await page.getByLabel('Add a comment').fill('Looked at the holdout numbers.');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.getByText('Looked at the holdout numbers.').waitFor();
    await page.getByLabel(/^Comment \(kept/).fill('AUC holds on the holdout');
    await screenshot(page, '04-work-item');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('task-status').filter({ hasText: 'completed' }).waitFor();

    const done = await server.waitForStatus(instanceId, 'completed');
    expect(done.variables).toMatchObject({ decision: 'approved', comment: 'AUC holds on the holdout' });
    expect(done.history.find((h: any) => h.elementId === 'approve' && h.event === 'end').actor).toBe(reviewer.id);

    await page.getByRole('link', { name: /console-review/ }).click();
    await page.getByTestId('instance-status').filter({ hasText: 'completed' }).waitFor();
    await page.locator('[data-element-id="approve"].sg-completed').waitFor();
    await expect(page.locator('[data-element-id="deployed"].sg-completed').count()).resolves.toBe(1);
    await expect(page.locator('[data-element-id="rejected"].sg-completed').count()).resolves.toBe(0);
    await expect(page.locator('.sg-current').count()).resolves.toBe(0);
    await screenshot(page, '05-instance-completed');
    await signOut();
  });

  it('shows the four-eyes refusal when the reviewer submitted the change', async () => {
    const { taskId } = await startReview({ model: 'churn', version: 5, submittedBy: reviewer.id });
    await signIn(reviewer.token, 'rita-reviewer');
    await go(`#/tasks/${taskId}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/^Not allowed: four-eyes principle/);
    await expectAccessible('work item (refused)');
    await screenshot(page, '06-four-eyes');
    // Rejecting one's own change is allowed.
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByTestId('task-status').filter({ hasText: 'completed' }).waitFor();
    expect((await server.api.get(`/api/tasks/${taskId}`)).body).toMatchObject({ status: 'completed', decision: 'rejected' });

    await go('#/instances');
    await page.getByLabel('Status').selectOption('completed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.locator('tbody tr').count()).resolves.toBeGreaterThanOrEqual(1);
    await expectAccessible('instances');
    await signOut();
  });

  it('cancels a running job from its page', async () => {
    const data = creditRisk(3000, 5);
    const datasetId = (await server.api.post('/api/datasets', { name: 'credit', labelColumn: 'default', timestampColumn: 'applied_at' })).body.id;
    expect((await uploadCsv(server.stagegate.url, datasetId, data.csv)).status).toBe(201);
    const model = await server.api.post('/api/models', { name: 'credit-default', type: 'classification', importance: 'high' });
    const started = await server.api.post(`/api/models/${model.body.id}/train`, { datasetId, algorithm: 'random-forest', hyperparameters: { nEstimators: 1000, maxDepth: 20, minNumSamples: 2 } });
    expect(started.status).toBe(202);

    await signIn(TEST_ADMIN_TOKEN, 'admin');
    await go('#/jobs');
    await page.getByRole('progressbar', { name: new RegExp(started.body.id.slice(0, 8)) }).waitFor();
    await expectAccessible('jobs');
    await page.getByRole('link', { name: /^train/ }).click();
    await page.getByTestId('job-status').filter({ hasText: 'running' }).waitFor({ timeout: 20000 });
    await page.getByText(/worker process \d+ started/).waitFor();
    await screenshot(page, '07-job-running');
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.getByTestId('job-status').filter({ hasText: 'cancelled' }).waitFor();
    expect((await server.api.get(`/api/jobs/${started.body.id}`)).body.status).toBe('cancelled');
    await expect(page.getByRole('button', { name: 'Cancel job' }).count()).resolves.toBe(0);
    await expectAccessible('job');
    await screenshot(page, '08-job-cancelled');
  }, 60000);

  it('lists deployments, shows usage against the limit, and administers users and the notice', async () => {
    await signIn(TEST_ADMIN_TOKEN, 'admin');
    await go('#/deployments');
    await page.getByText('No deployments.').waitFor();
    await expectAccessible('deployments');

    await go('#/admin');
    await page.getByText('Active models:').waitFor();
    await page.locator('meter[aria-label="Active models against the limit"][max="3"]').waitFor();
    await expect(page.getByLabel(/approval work item/).inputValue()).resolves.toBe('Critical models need the risk committee too.');
    await page.getByLabel(/approval work item/).fill('Two approvers for critical models.');
    await page.getByRole('button', { name: 'Save notice' }).click();
    await page.getByText('Approval notice saved.').waitFor();
    expect((await server.api.get('/api/settings')).body.approvalNotice).toBe('Two approvers for critical models.');

    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create a user' }) });
    await form.getByLabel('Name', { exact: true }).fill('vera-viewer');
    await form.getByLabel('Email').fill('vera@example.com');
    await form.getByLabel('model_approver').check();
    await form.getByLabel(/^Groups/).fill('model-approvers, risk');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('cell', { name: 'vera-viewer', exact: true }).waitFor();
    const users = (await server.api.get('/api/users?role=model_approver')).body.items;
    expect(users.find((u: any) => u.name === 'vera-viewer')).toMatchObject({ roles: ['viewer', 'model_approver'], groups: ['model-approvers', 'risk'] });
    // A bad email is refused by the server; its message is shown.
    await form.getByLabel('Name', { exact: true }).fill('x');
    await form.getByLabel('Email').fill('x@y');
    await form.getByRole('button', { name: 'Create user' }).click();
    await form.getByRole('alert').waitFor();
    await expectAccessible('administration');
    await screenshot(page, '09-admin');
  });

  it('can be used with the keyboard alone: focus follows navigation, every control is reachable', async () => {
    await signIn(TEST_ADMIN_TOKEN, 'admin');
    await go('#/jobs');
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    const focused = () => page.evaluate<string>("(document.activeElement.getAttribute('aria-label') || document.activeElement.textContent || '').trim()");
    // After navigation focus is on the screen; the first Tab reaches its first control.
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.tagName')).toBe('SELECT');
    const backwards: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      await page.keyboard.press('Shift+Tab');
      backwards.push(await focused());
    }
    expect(backwards).toEqual(['Sign out', 'Administration', 'Deployments', 'Jobs', 'Process instances', 'Inbox', 'Skip to content', expect.anything()]);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Inbox');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.keyboard.press('Tab');
    // A visible focus ring on the focused control.
    expect(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
  });
});

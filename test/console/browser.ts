/**
 * Headless Chromium for the console's browser tests: Debian's chromium
 * driven by playwright-core (FINDINGS.md "Browser tests"). When the binary is
 * missing the tests skip with a message; `.ci/run` installs it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { consoleIsFresh, buildConsole } from '../../scripts/build-console';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'console');

/** `describe` when Chromium is installed, else a skipped block that says why. */
export function describeInBrowser(name: string, body: () => void): void {
  if (hasChromium) {
    describe(name, body);
    return;
  }
  describe.skip(`${name} (skipped: no Chromium at ${CHROMIUM}; apt-get install chromium, or set CHROMIUM_PATH)`, body);
}

/** The bundle the server serves; `npm test` builds it first (pretest), a lone `npx jest` may not have. */
export async function ensureConsoleBuilt(): Promise<void> {
  if (!consoleIsFresh()) await buildConsole();
}

/** One browser per test file; playwright gives it a fresh temporary profile (user-data-dir). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Console messages a page logged as errors (CSP violations, failed loads, exceptions). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  return errors;
}

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page and answers its serious and critical violations.
 * Evaluated through the DevTools protocol, so the page's CSP (no inline
 * script) needs no loosening for the test.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Strings, not functions: this file compiles without the DOM library.
  if (!(await page.evaluate<boolean>("typeof window.axe === 'object'"))) await page.evaluate(axeSource);
  const results = await page.evaluate<{ violations: AxeViolation[] }>("window.axe.run(document, { resultTypes: ['violations'] })");
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// Shared pieces of the web tests: Debian's chromium through playwright-core
// (closed network: no background connections), the serve command as a child
// process on loopback, and a gate that never lets CI skip what must run.
import { chromium, type BrowserContext } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/probe/paths.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Skip reason for browser tests, or false. Under CI a missing chromium is a failure, never a skip. */
export const browserSkip: string | false =
  existsSync(CHROMIUM) || process.env.CI ? false : `needs ${CHROMIUM} (apt-get install chromium)`;

export function artifactsDir(): string {
  const d = join(repoRoot(), 'test-artifacts', 'web');
  mkdirSync(d, { recursive: true });
  return d;
}

export async function launchBrowser(): Promise<{ ctx: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: browser tests must run under CI`);
  const profile = mkdtempSync(join(tmpdir(), 'irqlens-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 2400 },
  });
  return {
    ctx,
    close: async () => {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

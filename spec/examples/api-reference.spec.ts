import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Locator, Page } from 'playwright-core';
import { ROOT, checkPrerequisites, launchChromium } from './support/browser';

// The API reference as a reader sees it: TypeDoc runs with the project's typedoc.json (warnings are errors) into a
// folder of the test's own, and the pages open from disk in headless Chromium, as `npm run docs` users open
// docs/api/index.html. The client's members must be methods with their signatures, parameters, TSDoc and linked
// options types, and the guides pages of the site rather than Markdown files copied next to it.

jest.setTimeout(90_000);

const CLIENT_MEMBERS = [
  'invoke',
  'transmit',
  'receiver',
  'procedure',
  'channel',
  'publish',
  'transmitPublish',
];

/** The visible text of a locator, whitespace collapsed (signatures are laid out with non-breaking spaces). */
const text = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

/** The section that documents `member`, found by its heading (the anchor of `channelState$` has no `$`). */
const memberSection = (page: Page, member: string) =>
  page.locator('section.tsd-member', {
    has: page.locator('h3').filter({ hasText: new RegExp(`^${member.replace('$', '\\$')}$`) }),
  });

describe('the API reference in headless Chromium', () => {
  const out = mkdtempSync(join(tmpdir(), 'rx-socketcluster-api-'));
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    checkPrerequisites('API reference');
    await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--out', out],
      { cwd: ROOT },
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(out, { recursive: true, force: true });
  });

  const open = (path: string) => page.goto(pathToFileURL(join(out, path)).href);

  it('shows invoke with its two signatures, their parameters, TSDoc and a link to InvokeOptions', async () => {
    await open('interfaces/rx-socketcluster.Client.html');
    const invoke = memberSection(page, 'invoke');
    const signatures = invoke.locator('.tsd-signature');
    expect(await signatures.count()).toBe(2);

    // Untyped: the response type as type argument, then procedure, data and options.
    const untyped = await text(signatures.nth(0));
    expect(untyped).toMatch(/^invoke<R = unknown>\(/);
    expect(untyped).toContain('[procedure: string, data?: unknown, options?: InvokeOptions]');
    expect(untyped).toMatch(/: Observable<R>$/);
    // Typed by the API: the name, then the request and the options.
    const typed = await text(signatures.nth(1));
    expect(typed).toMatch(/^invoke<K extends string>\( procedure: K, /);
    expect(typed).toContain('...args: DataArgs<ApiRequest<Api, "invoke", K>, [options?: InvokeOptions]>');
    expect(typed).toContain('Observable<ApiResponse<Api, "invoke", K>>');

    // Each signature's TSDoc, its parameters and their descriptions.
    const description = await text(invoke);
    expect(description).toContain('Invokes a procedure on the server and emits its answer.');
    expect(description).toContain('Errors: RemoteError when the server answers with an error');
    expect(await text(invoke.locator('.tsd-parameters').first())).toContain(
      'procedure, the name of the procedure on the server; data, the request data',
    );
    expect(await text(invoke.locator('.tsd-parameters').nth(1))).toContain(
      'procedure: K A procedure the API declares',
    );

    // The options type is a link in the signature, and leads to its own page.
    const optionsLink = signatures.nth(0).getByRole('link', { name: 'InvokeOptions' });
    await expect(optionsLink.isVisible()).resolves.toBe(true);
    await optionsLink.click();
    await page.waitForURL(/rx-socketcluster\.InvokeOptions\.html/);
    expect(await text(page.locator('h1'))).toContain('InvokeOptions');
    const options = await text(page.locator('.col-content'));
    expect(options).toContain('timeout');
    expect(options).toContain('resend');
  });

  it('lists every call of the client as a method with a parameter list, none as a property', async () => {
    await open('interfaces/rx-socketcluster.Client.html');
    const index = page.locator('.tsd-index-section');
    const methods = await text(index.filter({ hasText: 'Methods' }));
    const properties = await text(index.filter({ hasText: 'Properties' }));
    for (const member of [...CLIENT_MEMBERS, 'channelState$']) {
      expect(methods.split(' ')).toContain(member);
      expect(properties.split(' ')).not.toContain(member);
      const signature = await text(memberSection(page, member).locator('.tsd-signature').last());
      expect(signature).toMatch(new RegExp(`^${member.replace('$', '\\$')}(<[^(]*>)?\\( ?[a-z.]+: `));
    }
    const channel = memberSection(page, 'channel').locator('.tsd-signature');
    await expect(channel.nth(1).getByRole('link', { name: 'ChannelOptions' }).isVisible()).resolves.toBe(
      true,
    );
    // The rule for passing methods around is on the page.
    expect(await text(page.locator('.tsd-comment').first())).toContain(
      'mergeMap((name) => client.channelState$(name))',
    );
  });

  it('renders the guides as pages of the site, linked from the index', async () => {
    await open('index.html');
    await page
      .locator('.col-content')
      .getByRole('link', { name: 'Getting started', exact: true })
      .first()
      .click();
    await page.waitForURL(/\/documents\/.+\.html/);
    expect(await text(page.locator('.col-content h1').first())).toBe('Getting started');
    // A link between guides, to a heading that holds inline code, lands on that heading.
    await open('documents/Channels.html');
    await page.locator('.col-content a[href*="#waitforauth-channels"]').first().click();
    await page.waitForURL(/Authentication\.html#waitforauth-channels$/);
    expect(await text(page.locator('[id="waitforauth-channels"]'))).toBe('waitForAuth channels');
    // No guide is left as a Markdown file.
    const media = join(out, 'media');
    const markdown = existsSync(media) ? readdirSync(media).filter((f) => f.endsWith('.md')) : [];
    expect(markdown).toEqual([]);
  });
});

// TypeDoc plugin (typedoc.json `plugin`) for the guides that `projectDocuments` renders as pages of the reference.
// The guides are written for GitHub and stay plain Markdown; this makes TypeDoc read them as GitHub does:
//
// - A guide's page is named by its first `# heading` ("Getting started"), not its file name ("getting-started"),
//   so that the guides need no YAML front matter, which GitHub would show as a table above the text.
// - Inline code in a heading counts in the heading's anchor and in the page's outline. TypeDoc leaves it out, so
//   "## `waitForAuth` channels" got the anchor `#channels` where GitHub has `#waitforauth-channels` (links between
//   the guides broke), and the outline read "The option" for "The `WebSocket` option".
import { Application, Converter } from 'typedoc';

/** The text of the first level-1 heading of a Markdown text, inline code marks removed; undefined if none. */
function firstHeading(markdown) {
  const match = /^# +(.+?) *#* *$/m.exec(markdown);
  return match ? match[1].replace(/`/g, '') : undefined;
}

/**
 * markdown-it core rule: gives each inline code span of a heading a text child. TypeDoc takes a heading's text for
 * its anchor and outline from `text` tokens and their children; the code span itself still renders as `<code>`.
 */
function headingCodeAsText(state) {
  state.tokens.forEach((token, index) => {
    if (token.type !== 'heading_open') return;
    for (const child of state.tokens[index + 1]?.children ?? []) {
      if (child.type !== 'code_inline') continue;
      const text = new state.Token('text', '', 0);
      text.content = child.content;
      child.children = [text];
    }
  });
}

/** @param {Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context, document) => {
    const heading = firstHeading(document.content.map((part) => part.text).join(''));
    if (heading) document.name = heading;
  });
  // Options are read again after plugins load, so the loader is set once they have been.
  app.on(Application.EVENT_BOOTSTRAP_END, () => {
    const given = app.options.getValue('markdownItLoader');
    app.options.setValue('markdownItLoader', (parser) => {
      given(parser);
      parser.core.ruler.push('heading_code_as_text', headingCodeAsText);
    });
  });
}

/** The message viewer's frame document: no remote reference survives, the policy blocks the rest. */
import { describe, expect, it } from 'vitest';
import {
  disarmRemote,
  frameDocument,
  remoteResourceCount,
  splitAddresses,
} from '../../src/renderer/features/message/message-model';

const HTML =
  '<table background="https://t.example/bg.png"><tr><td style="background:url(\'http://t.example/a.png\')">' +
  '<img src="http://t.example/open.gif"><img src=//t.example/x.gif><img srcset="https://t.example/2x.png 2x">' +
  '<img src="data:image/gif;base64,R0lGOD"><img src="cid:logo@x"><a href="https://example.com">link</a></td></tr></table>';

describe('message frame', () => {
  it('disarms every remote image, background and CSS url, keeping data:, cid: and links', () => {
    const out = disarmRemote(HTML);
    expect(out).not.toMatch(/\s(src|srcset|background)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(out).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i);
    expect(out).toContain('data-blocked-src="http://t.example/open.gif"');
    expect(out).toContain('src="data:image/gif;base64,R0lGOD"');
    expect(out).toContain('src="cid:logo@x"');
    expect(out).toContain('href="https://example.com"');
    expect(remoteResourceCount(HTML)).toBe(5);
  });

  it('puts the policy before the body: no scripts, no network, images from data: and cid: only', () => {
    const doc = frameDocument('<p>Hi</p>');
    expect(doc).toMatch(
      /<head>.*<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: cid:;.*<\/head><body><p>Hi<\/p><\/body>/,
    );
  });

  it('splits typed addresses', () => {
    expect(splitAddresses(' a@x.test, b@y.test;a@x.test\nc@z.test ')).toEqual([
      'a@x.test',
      'b@y.test',
      'c@z.test',
    ]);
  });
});

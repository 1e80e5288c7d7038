/**
 * The message viewer's pure parts: the HTML body wrapped for a sandboxed frame that loads nothing from the
 * network, the count of remote resources it blocks, and the .eml download.
 */

/**
 * The policy of the frame's document: no scripts, no network at all; images only from `data:` and `cid:`
 * (parts of the message), inline styles allowed (emails are styled inline). The frame is also
 * `sandbox=""` (no scripts, no forms, no navigation, an opaque origin), and the console's own policy applies.
 */
export const FRAME_CSP =
  "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'";

const REMOTE_ATTRIBUTE = /(\s)(src|srcset|background|poster)(\s*=\s*["']?\s*)((?:https?:)?\/\/)/gi;
const REMOTE_URL = /url\((\s*["']?\s*)((?:https?:)?\/\/)/gi;

/**
 * The message's HTML with its remote references disarmed: `src`/`srcset`/`background`/`poster` pointing at
 * http(s) become `data-blocked-*` attributes and CSS `url(http…)` gets a scheme nothing fetches, so the frame has
 * nothing to request even before its policy applies (Chromium's preload scanner may look at the markup first).
 */
export function disarmRemote(html: string): string {
  return html.replace(REMOTE_ATTRIBUTE, '$1data-blocked-$2$3$4').replace(REMOTE_URL, 'url($1blocked:$2');
}

/** The document given to the frame's `srcdoc`: the message's HTML behind the policy, on a white page. */
export function frameDocument(html: string): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">` +
    '<style>html{background:#fff;color:#111;color-scheme:light}body{margin:16px;font-family:sans-serif}</style>' +
    `</head><body>${disarmRemote(html)}</body></html>`
  );
}

const REMOTE = /\b(?:src|background|srcset|poster)\s*=\s*["']?\s*(?:https?:)?\/\//gi;
const REMOTE_CSS = /url\(\s*["']?\s*(?:https?:)?\/\//gi;

/** Remote resources (images, backgrounds) the HTML refers to: what the frame blocks. */
export function remoteResourceCount(html: string): number {
  return (html.match(REMOTE)?.length ?? 0) + (html.match(REMOTE_CSS)?.length ?? 0);
}

/** Saves the raw message as an .eml file (a blob URL: works in the desktop app and the browser console). */
export function downloadEml(raw: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([raw], { type: 'message/rfc822' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  // Later: revoking right after the click can cancel the download in Chromium.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** "1.2 KB" */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Addresses typed in a proof form: separated by commas, semicolons, spaces or lines. */
export function splitAddresses(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter((a) => a !== ''))];
}

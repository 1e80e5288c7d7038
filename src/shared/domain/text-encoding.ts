/**
 * The character encodings a CSV list (recipients, quarantine) can be read in: what the detector can report
 * and what an analyst can choose instead. Names are iconv-lite's (lower case); labels are the usual ones.
 */
export const TEXT_ENCODINGS = [
  'utf-8',
  'utf-16le',
  'utf-16be',
  'windows-1252',
  'iso-8859-1',
  'iso-8859-15',
  'windows-1250',
  'iso-8859-2',
  'windows-1251',
  'koi8-r',
  'windows-1253',
  'iso-8859-7',
  'windows-1254',
  'iso-8859-9',
  'windows-1257',
  'macintosh',
  'shift_jis',
  'euc-jp',
  'gb18030',
  'big5',
  'euc-kr',
] as const;

export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

export const ENCODING_LABELS: Record<TextEncoding, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16 LE',
  'utf-16be': 'UTF-16 BE',
  'windows-1252': 'Windows-1252',
  'iso-8859-1': 'ISO-8859-1',
  'iso-8859-15': 'ISO-8859-15',
  'windows-1250': 'Windows-1250',
  'iso-8859-2': 'ISO-8859-2',
  'windows-1251': 'Windows-1251',
  'koi8-r': 'KOI8-R',
  'windows-1253': 'Windows-1253',
  'iso-8859-7': 'ISO-8859-7',
  'windows-1254': 'Windows-1254',
  'iso-8859-9': 'ISO-8859-9',
  'windows-1257': 'Windows-1257',
  macintosh: 'Mac OS Roman',
  shift_jis: 'Shift_JIS',
  'euc-jp': 'EUC-JP',
  gb18030: 'GB18030',
  big5: 'Big5',
  'euc-kr': 'EUC-KR',
};

/** What each encoding is for, shown next to its name where one is chosen. */
export const ENCODING_HINTS: Record<TextEncoding, string> = {
  'utf-8': 'Unicode',
  'utf-16le': 'Unicode, Excel "Unicode text"',
  'utf-16be': 'Unicode',
  'windows-1252': 'Western European, Excel on Windows',
  'iso-8859-1': 'Latin-1, no € or curly quotes',
  'iso-8859-15': 'Latin-9, Western European with €',
  'windows-1250': 'Central European',
  'iso-8859-2': 'Latin-2, Central European',
  'windows-1251': 'Cyrillic',
  'koi8-r': 'Cyrillic',
  'windows-1253': 'Greek',
  'iso-8859-7': 'Greek',
  'windows-1254': 'Turkish',
  'iso-8859-9': 'Latin-5, Turkish',
  'windows-1257': 'Baltic',
  macintosh: 'Western European, old Mac',
  shift_jis: 'Japanese',
  'euc-jp': 'Japanese',
  gb18030: 'Chinese (simplified)',
  big5: 'Chinese (traditional)',
  'euc-kr': 'Korean',
};

/** How the encoding in use was found. */
export const ENCODING_BASES = ['bom', 'utf-8', 'ascii', 'detector', 'chosen'] as const;
export type EncodingBasis = (typeof ENCODING_BASES)[number];

export function isTextEncoding(name: string): name is TextEncoding {
  return (TEXT_ENCODINGS as readonly string[]).includes(name);
}

export interface EncodingUse {
  detected: TextEncoding;
  basis: Exclude<EncodingBasis, 'chosen'>;
  confidence?: number | undefined;
  used: TextEncoding;
}

/** "Windows-1252 (detected)", "UTF-8 (detected: byte order mark)", "UTF-8 (chosen; detected Windows-1252)". */
export function describeEncoding(e: EncodingUse): string {
  const used = ENCODING_LABELS[e.used];
  if (e.used !== e.detected) return `${used} (chosen; detected ${ENCODING_LABELS[e.detected]})`;
  switch (e.basis) {
    case 'bom':
      return `${used} (detected: byte order mark)`;
    case 'ascii':
      return `${used} (detected: plain ASCII)`;
    case 'utf-8':
    case 'detector':
      return `${used} (detected)`;
  }
}

/** How sure the detection is, in words: for a tooltip or the CLI. */
export function encodingBasisText(e: EncodingUse): string {
  switch (e.basis) {
    case 'bom':
      return 'the file starts with a byte order mark';
    case 'utf-8':
      return 'the file is valid UTF-8';
    case 'ascii':
      return 'the file has only ASCII characters (read as UTF-8)';
    case 'detector':
      return `the file is not UTF-8; the detector's best match${e.confidence !== undefined ? ` (confidence ${Math.round(e.confidence * 100)} %)` : ''}`;
  }
}

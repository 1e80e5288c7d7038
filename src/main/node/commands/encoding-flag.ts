/** `--encoding NAME` of the commands reading a CSV file (deliver, quarantine import). */
import {
  TEXT_ENCODINGS,
  describeEncoding,
  encodingBasisText,
  isTextEncoding,
  type EncodingUse,
  type TextEncoding,
} from '../../../shared/domain/text-encoding';
import { UsageError } from './common';

export const ENCODING_USAGE = `the CSV file's character encoding (default: detected): ${TEXT_ENCODINGS.join(', ')}`;

export function encodingFlag(value: string | undefined): TextEncoding | undefined {
  if (value === undefined) return undefined;
  const name = value
    .trim()
    .toLowerCase()
    .replace(/^(cp|win)-?(125\d)$/, 'windows-$2')
    .replace(/^utf8$/, 'utf-8')
    .replace(/^latin-?1$/, 'iso-8859-1');
  if (!isTextEncoding(name))
    throw new UsageError(
      `--encoding ${value}: not an encoding Relaydeck reads (${TEXT_ENCODINGS.join(', ')})`,
    );
  return name;
}

/** "encoding Windows-1252 (detected: the file is not UTF-8; …)" */
export function encodingLine(e: EncodingUse): string {
  return `encoding ${describeEncoding(e)}${e.used === e.detected ? `: ${encodingBasisText(e)}` : ''}`;
}

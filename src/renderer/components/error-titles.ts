/**
 * The one mapping from the API's error codes (machine-readable, `shared/contract/errors.ts`) to what the
 * console says. Codes never show in the UI: a banner gets its title from here when its page gives none, and the
 * code stays on the element (`data-error-code`) for tests and support.
 */
import type { AppError, ErrorCode, ErrorDetail } from '../../shared/contract/errors';

export const ERROR_TITLES: Record<ErrorCode, string> = {
  invalid_input: 'Some values are not valid',
  not_found: 'It no longer exists',
  conflict: 'Not possible in the current state',
  csv_invalid: 'The recipient list cannot be read',
  template_invalid: 'The message template has errors',
  message_invalid: 'The message file cannot be read',
  analysis_unacknowledged: 'The pre-send analysis found errors: confirm that you want to send anyway',
  unauthorized: 'The console’s access key is missing or wrong: open the address Relaydeck printed',
  forbidden: 'This page is not allowed to use Relaydeck',
  unknown_method: 'This console does not match the running Relaydeck: reload the page',
  db_newer_version: 'The data directory was written by a newer Relaydeck',
  db_locked: 'Another Relaydeck is using this data directory',
  unavailable: 'Relaydeck is starting or stopping',
  internal: 'Something went wrong in Relaydeck',
};

export function errorTitle(code: ErrorCode): string {
  return ERROR_TITLES[code] ?? ERROR_TITLES.internal;
}

/**
 * The sentence under a banner's title, or null when the details say it all. The API's own message is shown as
 * written, except where it is for developers (an internal error names the method: the log has the rest).
 */
export function errorSentence(error: AppError): string | null {
  switch (error.code) {
    case 'internal':
    case 'unknown_method':
      return 'The details are in the log (logs/relaydeck.log in the data directory).';
    case 'invalid_input':
      return (error.details?.length ?? 0) > 0 ? null : error.message;
    default:
      return error.message;
  }
}

/** Where a detail is (line, column) and what is wrong; the message itself names the field. */
export function describeDetail(d: ErrorDetail): string {
  const where = [
    d.line !== undefined ? `line ${d.line}` : null,
    d.column !== undefined ? `column ${d.column}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${d.message}` : d.message;
}

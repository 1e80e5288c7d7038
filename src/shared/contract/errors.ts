/**
 * The one error registry. Every failure that crosses the API boundary is `{code, message, retryable}`;
 * stack traces stay in the main process log.
 */

export const ERROR_CODES = {
  invalid_input: { retryable: false, description: 'The request does not match the contract' },
  not_found: { retryable: false, description: 'No such object' },
  conflict: { retryable: false, description: 'The object is not in a state that allows this' },
  csv_invalid: { retryable: false, description: 'The recipient list cannot be read' },
  template_invalid: { retryable: false, description: 'The message template is invalid' },
  message_invalid: { retryable: false, description: 'The message file cannot be read' },
  analysis_unacknowledged: {
    retryable: false,
    description: 'The pre-send analysis found errors and sending anyway was not confirmed',
  },
  unauthorized: { retryable: false, description: 'Missing or wrong access token' },
  forbidden: { retryable: false, description: 'Origin or sender not allowed' },
  unknown_method: { retryable: false, description: 'No such API method' },
  db_newer_version: { retryable: false, description: 'The database was written by a newer Relaydeck' },
  db_locked: { retryable: true, description: 'Another Relaydeck process uses this data directory' },
  unavailable: { retryable: true, description: 'The service is starting or stopping' },
  internal: { retryable: false, description: 'Unexpected error (see the log)' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A problem located in the input: a field of a form, a line of a CSV file, a position in a template. */
export interface ErrorDetail {
  field?: string;
  line?: number;
  column?: number;
  message: string;
}

export interface ApiErrorShape {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  details?: ErrorDetail[];
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    if (details) this.details = details;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  toJSON(): ApiErrorShape {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static from(shape: ApiErrorShape): AppError {
    return new AppError(shape.code in ERROR_CODES ? shape.code : 'internal', shape.message, shape.details);
  }
}

export function isApiErrorShape(value: unknown): value is ApiErrorShape {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ApiErrorShape).code === 'string' &&
    typeof (value as ApiErrorShape).message === 'string'
  );
}

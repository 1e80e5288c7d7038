/** Zod issues as the API's error details: one per issue, naming the field by its dotted path. */
import type { z } from 'zod';
import type { ErrorDetail } from './errors';

/** One detail per zod issue, naming the field by its dotted path (`template.fromAddress`, `routes.0.mask`). */
export function issueDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => {
    const field = issue.path.map((key) => String(key)).join('.');
    return field ? { field, message: issue.message } : { message: issue.message };
  });
}

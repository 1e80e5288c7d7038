/** DKIM signing errors (SPEC §5). */

/** Signing failed or could not be done (a worker died, the workers are closed): retry the message, never send it unsigned. */
export class DkimSignError extends Error {
  override name = 'DkimSignError';
}

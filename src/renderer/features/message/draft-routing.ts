import type { AppInfo, HostPort, Route } from '../../../shared/contract';
import { buildCreateInput, type DeliveryForm } from '../deliveries/form-model';

/**
 * The routes and smart host a draft delivery would have, for its proof; null while the form's message or
 * routing has problems (its name and list do not matter for a proof).
 */
export function draftRouting(
  form: DeliveryForm,
  defaultRoute: AppInfo['defaultRoute'] | undefined,
): { routes: Route[]; smarthost: HostPort | null } | null {
  const built = buildCreateInput(
    { ...form, name: 'proof', recipients: form.recipients ?? { fileName: 'proof.csv', csv: '' } },
    defaultRoute,
  );
  return built.ok ? { routes: built.input.routes ?? [], smarthost: built.input.smarthost ?? null } : null;
}

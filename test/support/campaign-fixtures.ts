/** Building blocks for campaign and handler tests: a valid template, CSV lists, delivery inputs. */
import { CreateDeliveryInput, type MessageTemplate } from '../../src/shared/contract/schemas';
import type { CreateDeliveryRequest } from '../../src/main/campaign/prepare';

export const TEST_TEMPLATE: MessageTemplate = {
  fromName: 'Test Sender',
  fromAddress: 'sender@example.test',
  subject: 'Hello {{first_name}}',
  text: 'Hi {{first_name}}, this is a test.',
  html: '',
};

/** A CSV with a header `email,first_name` and one row per address. */
export function csvOf(addresses: readonly string[], header = 'email,first_name'): string {
  return [header, ...addresses.map((a, i) => `${a},Name${i + 1}`)].join('\n') + '\n';
}

/** A parsed `deliveries.create` input (defaults applied as the dispatcher would). */
export function deliveryRequest(
  overrides: Partial<CreateDeliveryInput> & { csv?: string } = {},
): CreateDeliveryRequest {
  const { csv, ...rest } = overrides;
  return CreateDeliveryInput.parse({
    name: 'Test delivery',
    template: TEST_TEMPLATE,
    recipients: { fileName: 'list.csv', csv: csv ?? csvOf(['a@inbox.test', 'b@mail.test']) },
    ...rest,
  });
}

/**
 * The composer is deterministic (issue 14 point 10): the same delivery, template, row, Message-ID and time give
 * the same bytes in any process at any later time, which is what lets the message viewer rebuild a message as
 * sent instead of keeping it. The MIME boundary was random per compiled template before.
 */
import { describe, expect, it } from 'vitest';
import { createComposer } from '../../src/main/engine/relay/compose';
import { composeRaw } from '../../src/main/message/build';

const template = JSON.stringify({
  fromName: 'News',
  fromAddress: 'news@example.test',
  subject: 'Hello {{first_name}}',
  text: 'Hi {{first_name}}',
  html: '<p>Hi {{first_name}}</p>',
});
const job = {
  deliveryId: 7,
  logId: 42,
  email: 'zoe@inbox.test',
  messageId: '<42.7.0123456789abcdef0123456789abcdef@example.test>',
  fieldsJson: JSON.stringify({ email: 'zoe@inbox.test', first_name: 'Zoé' }),
  templateJson: template,
  date: new Date(Date.UTC(2026, 11, 6, 1, 2, 3)),
};

describe('deterministic message build', () => {
  it('gives the same bytes from two composers (two processes, or a rebuild later)', async () => {
    const a = await createComposer().compose(job);
    const b = await createComposer().compose(job);
    expect(b.raw.toString()).toBe(a.raw.toString());
    expect(a.raw.toString()).toMatch(/boundary="--_NmP-[0-9a-f]{16}-Part_1"/);
  });

  it('gives another boundary for another delivery or template', async () => {
    const boundary = (raw: Buffer) => /boundary="([^"]+)"/.exec(raw.toString())?.[1];
    const a = await createComposer().compose(job);
    const other = await createComposer().compose({ ...job, deliveryId: 8 });
    const edited = await createComposer().compose({ ...job, templateJson: template.replace('Hi', 'Hey') });
    expect(new Set([boundary(a.raw), boundary(other.raw), boundary(edited.raw)]).size).toBe(3);
  });

  it("rebuilds a message alone or as a group's shared message, as the engine composed it", async () => {
    const at = job.date.getTime();
    const alone = await composeRaw({ ...job, at, shared: null });
    expect(alone.toString()).toBe((await createComposer().compose(job)).raw.toString());
    const staticTemplate = template.replace(/\{\{first_name\}\}/g, 'there');
    const shared = await composeRaw({ ...job, templateJson: staticTemplate, at, shared: job.messageId });
    const engine = await createComposer().composeShared({
      deliveryId: 7,
      messageId: job.messageId,
      templateJson: staticTemplate,
      date: job.date,
    });
    expect(shared.toString()).toBe(engine.raw.toString());
    expect(shared.toString()).toMatch(/^To: undisclosed-recipients:;\r\n/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  formatReply,
  parseEnhancedStatus,
  parseSmtpReply,
  replyKind,
} from '../../src/shared/domain/smtp-reply';

describe('parseSmtpReply', () => {
  it('parses a one-line reply with an enhanced code', () => {
    expect(parseSmtpReply('451 4.7.1 <a@b.test>: Recipient address rejected: Greylisted')).toEqual({
      code: 451,
      enhanced: '4.7.1',
      text: '<a@b.test>: Recipient address rejected: Greylisted',
    });
  });

  it('joins a multi-line Gmail reply', () => {
    const raw =
      '550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n' +
      "550-5.1.1 double-checking the recipient's email address for typos or\r\n" +
      '550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser x1si123 - gsmtp';
    const parsed = parseSmtpReply(raw);
    expect(parsed.code).toBe(550);
    expect(parsed.enhanced).toBe('5.1.1');
    expect(parsed.text).toMatch(/^The email account .* Please try double-checking .* - gsmtp$/);
  });

  it('handles replies without an enhanced code and text without a code', () => {
    expect(parseSmtpReply('554 Transaction failed')).toEqual({
      code: 554,
      enhanced: null,
      text: 'Transaction failed',
    });
    expect(parseSmtpReply('Connection timed out')).toEqual({
      code: null,
      enhanced: null,
      text: 'Connection timed out',
    });
    expect(parseSmtpReply('250')).toEqual({ code: 250, enhanced: null, text: '' });
    expect(parseSmtpReply('550 #5.1.0 Address rejected.')).toEqual({
      code: 550,
      enhanced: '5.1.0',
      text: 'Address rejected.',
    });
  });

  it('classifies reply codes and formats them back', () => {
    expect(replyKind(250)).toBe('accepted');
    expect(replyKind(421)).toBe('deferred');
    expect(replyKind(550)).toBe('failed');
    expect(formatReply({ code: 550, enhanced: '5.1.1', text: 'no such user' })).toBe(
      '550 5.1.1 no such user',
    );
    expect(formatReply({ code: null, enhanced: null, text: 'timeout' })).toBe('timeout');
    // a text that already carries its code (e.g. a DSN's Diagnostic-Code) is not prefixed twice
    expect(formatReply({ code: 550, enhanced: '5.1.1', text: '550 5.1.1 <a@b.test>: User unknown' })).toBe(
      '550 5.1.1 <a@b.test>: User unknown',
    );
    expect(formatReply({ code: 550, enhanced: '5.1.1', text: '451 greylisted earlier' })).toBe(
      '550 5.1.1 451 greylisted earlier',
    );
  });

  it('parses enhanced status codes (RFC 3463)', () => {
    expect(parseEnhancedStatus('5.7.26')).toEqual({ klass: 5, subject: 7, detail: 26 });
    expect(parseEnhancedStatus('3.1.1')).toBeNull();
    expect(parseEnhancedStatus('5.1')).toBeNull();
  });
});

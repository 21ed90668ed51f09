import { describe, expect, it } from 'vitest';
import { formatUsageHeader, parseUsageHeader } from './headers.js';

describe('the usage header', () => {
  it('reads back what it wrote', () => {
    expect(parseUsageHeader(formatUsageHeader(0, 0))).toEqual({ prompt: 0, completion: 0 });
    expect(parseUsageHeader(formatUsageHeader(123456789, 42))).toEqual({ prompt: 123456789, completion: 42 });
  });
  it('refuses anything else, so the caller falls back to the body', () => {
    for (const bad of [
      undefined,
      null,
      7,
      ['prompt_tokens=1, completion_tokens=2'],
      '',
      'prompt_tokens=1',
      'prompt_tokens=-1, completion_tokens=2',
      'prompt_tokens=1.5, completion_tokens=2',
      'prompt_tokens=1, completion_tokens=2 ',
      'prompt_tokens=1234567890, completion_tokens=2',
      'completion_tokens=2, prompt_tokens=1',
    ]) {
      expect(parseUsageHeader(bad)).toBeUndefined();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { required } from './required.js';

describe('required', () => {
  it('returns a present value, falsy ones included', () => {
    expect(required(0, 'zero')).toBe(0);
    expect(required('', 'empty')).toBe('');
    expect(required(false, 'false')).toBe(false);
  });

  it('throws an internal error naming what is missing', () => {
    expect(() => required(undefined, 'the engine')).toThrow('internal error: the engine is missing');
    expect(() => required(null, 'the server')).toThrow('internal error: the server is missing');
  });
});

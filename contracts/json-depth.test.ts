import { describe, expect, it } from 'vitest';
import { jsonNestingOver } from './json-depth.js';

const over = (text: string, max: number) => jsonNestingOver(Buffer.from(text), max);

describe('jsonNestingOver', () => {
  it('counts object and array nesting', () => {
    expect(over('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(over('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(over('[[],[],[]]', 2)).toBe(false);
  });
  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(over('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(over('{"a":"\\"[[[[","b":"\\\\"}', 1)).toBe(false);
    expect(over('{"a":"\\\\","b":[[]]}', 2)).toBe(true);
  });
  it('leaves malformed JSON to the parser', () => {
    expect(over('{"a":"unterminated [[[[', 1)).toBe(false);
    expect(over(']]]]', 1)).toBe(false);
  });
});

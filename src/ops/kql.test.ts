import { describe, expect, it } from 'vitest';
import { buildLogQuery, kqlDatetime, kqlString } from './kql.js';
import { tokenize } from '../../emulator/dataplanes/kql-lexer.js';
import { parseKql } from '../../emulator/dataplanes/kql-parse.js';

describe('kqlString', () => {
  it('quotes plain text', () => {
    expect(kqlString('pool1')).toBe("'pool1'");
  });
  it('escapes quotes, backslashes and control characters so input cannot leave the literal', () => {
    expect(kqlString("it's")).toBe("'it\\'s'");
    expect(kqlString('a\\b')).toBe("'a\\\\b'");
    expect(kqlString('x\ny\tz\r')).toBe("'x\\ny\\tz\\r'");
  });
  it.each(["' | take 1 | where '1'=='1", "\\' or 1==1 //", "'\n| count", 'plain', '', '\\', "''''"])(
    'round-trips %j through the KQL lexer as ONE string token',
    (input) => {
      const toks = tokenize(kqlString(input));
      expect(toks.map((t) => t.kind)).toEqual(['string', 'eof']);
      expect(toks[0].text).toBe(input);
    },
  );
});

describe('buildLogQuery', () => {
  const from = Date.parse('2025-03-01T10:00:00.000Z');
  it('builds the minimal query: time bound, projection, oldest first, a cap', () => {
    expect(buildLogQuery({ from, take: 500 })).toBe(
      [
        'GpuarbLogs_CL',
        '| where TimeGenerated >= datetime(2025-03-01T10:00:00.000Z)',
        '| project TimeGenerated, Level, Message, Component, Pool, Instance, Properties',
        '| order by TimeGenerated asc',
        '| take 500',
      ].join('\n'),
    );
  });
  it('adds every filter, escaped, and levels at or above the one asked', () => {
    const q = buildLogQuery({ from, to: from + 60_000, pool: 'phi', instance: "phi_0'x", level: 'warn', grep: 'evict', take: 10 });
    expect(q).toContain("Pool == 'phi'");
    expect(q).toContain("Instance == 'phi_0\\'x'");
    expect(q).toContain("Level in ('warn', 'error')");
    expect(q).toContain("Message contains 'evict'");
    expect(q).toContain('TimeGenerated < datetime(2025-03-01T10:01:00.000Z)');
  });
  it('level debug means no level filter', () => {
    expect(buildLogQuery({ from, level: 'debug', take: 1 })).not.toContain('Level in');
  });
  it('parses with the local cloud KQL parser (the subset both sides speak)', () => {
    const q = parseKql(buildLogQuery({ from, pool: 'p', instance: 'i', level: 'error', grep: "a'b", take: 3 }));
    expect(q.table).toBe('GpuarbLogs_CL');
    expect(q.operators.map((o) => o.kind)).toEqual(['where', 'project', 'order', 'take']);
  });
  it('kqlDatetime is UTC ISO with milliseconds', () => {
    expect(kqlDatetime(0)).toBe('datetime(1970-01-01T00:00:00.000Z)');
  });
});

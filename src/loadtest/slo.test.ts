import { describe, expect, it } from 'vitest';
import { evaluateSlo, parseSlo, type SloFigures } from './slo.js';

const figures: SloFigures = {
  latencyMs: { p50: 800, p90: 2000, p95: 3000, p99: 6000, max: 9000 },
  ttftMs: null,
  errorRate: 0.002,
  cacheHitRate: 0.45,
  rpm: 240,
  availability: 0.9995,
};

describe('parseSlo', () => {
  it("parses the seed's objectives with units", () => {
    expect(parseSlo('p95<5s, errors<1%,cache>40%,rpm>100,availability>=99.9%')).toEqual([
      { text: 'p95<5s', metric: 'p95', op: '<', threshold: 5000 },
      { text: 'errors<1%', metric: 'errors', op: '<', threshold: 0.01 },
      { text: 'cache>40%', metric: 'cache', op: '>', threshold: 0.4 },
      { text: 'rpm>100', metric: 'rpm', op: '>', threshold: 100 },
      { text: 'availability>=99.9%', metric: 'availability', op: '>=', threshold: 0.999 },
    ]);
    expect(parseSlo('p99<=250ms,ttft_p95<1.5s')[1]).toMatchObject({ metric: 'ttft_p95', threshold: 1500 });
  });

  it.each([
    ['', 'empty'],
    ['p95<5', 'needs a unit'],
    ['p95>5s', 'stay below'],
    ['cache<40%', 'stay above'],
    ['errors<1', 'percentage'],
    ['rpm>100%', 'plain number'],
    ['p96<5s', 'unknown metric "p96"'],
    ['p95<5s,p95<4s', 'given twice'],
    ['p95 is 5s', 'not <metric><op><value>'],
    ['cache>140%', 'at most 100%'],
  ])('rejects %j (%s)', (input, why) => {
    expect(() => parseSlo(input)).toThrow(why);
  });

  it('reports every problem at once', () => {
    expect(() => parseSlo('p95<5,cache<40%')).toThrow(/needs a unit.*stay above/);
  });
});

describe('evaluateSlo', () => {
  it('marks each objective met or missed against the figures', () => {
    const r = evaluateSlo(parseSlo('p95<5s,p99<5s,errors<1%,cache>40%,rpm>300,availability>99.9%'), figures);
    expect(r.map((o) => [o.text, o.met])).toEqual([
      ['p95<5s', true],
      ['p99<5s', false],
      ['errors<1%', true],
      ['cache>40%', true],
      ['rpm>300', false],
      ['availability>99.9%', true],
    ]);
  });

  it('never meets an objective without data', () => {
    const [r] = evaluateSlo(parseSlo('ttft_p95<10s'), figures);
    expect(r).toMatchObject({ actual: null, met: false });
  });
});

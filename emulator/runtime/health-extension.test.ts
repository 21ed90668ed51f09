// The Application Health extension's documented state machine: Initializing until numberOfProbes
// identical answers or the grace period, Unknown for what it cannot read, binary states for 1.x.
import { describe, expect, it } from 'vitest';
import { HealthStateMachine, healthSettingsOf, readProbeAnswer, triggersRepair, type HealthSettings } from './health-extension.js';

const rich: HealthSettings = {
  rich: true,
  protocol: 'http',
  requestPath: '/health/app',
  intervalSeconds: 5,
  numberOfProbes: 3,
  graceSeconds: 60,
};
const vmssWith = (settings: Record<string, unknown>, typeHandlerVersion = '2.0') => ({
  properties: {
    virtualMachineProfile: {
      extensionProfile: {
        extensions: [
          {
            name: 'health',
            properties: { publisher: 'Microsoft.ManagedServices', type: 'ApplicationHealthLinux', typeHandlerVersion, settings },
          },
        ],
      },
    },
  },
});

describe('Application Health extension settings', () => {
  it('applies Microsoft defaults and limits: interval 5–60 s, probes 1–24, grace = interval × probes, at most 14400 s', () => {
    expect(healthSettingsOf(vmssWith({ protocol: 'http', requestPath: '/h' }))).toMatchObject({
      rich: true,
      intervalSeconds: 5,
      numberOfProbes: 1,
      graceSeconds: 5,
    });
    expect(healthSettingsOf(vmssWith({ intervalInSeconds: 1, numberOfProbes: 99, gracePeriod: 99_999 }))).toMatchObject({
      intervalSeconds: 5,
      numberOfProbes: 24,
      graceSeconds: 14_400,
    });
    expect(healthSettingsOf(vmssWith({}, '1.0'))?.rich).toBe(false);
    expect(healthSettingsOf({ properties: {} })).toBeUndefined();
  });

  it('reads a probe answer: only Healthy/Unhealthy in a 2xx body count, everything else is Unknown', () => {
    expect(readProbeAnswer(rich, 200, '{"ApplicationHealthState":"Healthy"}')).toBe('Healthy');
    expect(readProbeAnswer(rich, 200, '{"ApplicationHealthState":"Unhealthy"}')).toBe('Unhealthy');
    expect(readProbeAnswer(rich, 200, '{"ApplicationHealthState":"Initializing"}')).toBe('Unknown');
    expect(readProbeAnswer(rich, 503, '{"ApplicationHealthState":"Healthy"}')).toBe('Unknown');
    expect(readProbeAnswer(rich, undefined, '')).toBe('Unknown');
    expect(readProbeAnswer({ ...rich, rich: false }, 200, '')).toBe('Healthy');
    expect(readProbeAnswer({ ...rich, rich: false }, 503, '')).toBe('Unhealthy');
  });
});

describe('rich health states', () => {
  it('stays Initializing while the app is loading, then needs numberOfProbes Healthy answers', () => {
    const m = new HealthStateMachine(rich, 0);
    expect(m.state).toBe('Initializing');
    for (let t = 5_000; t < 60_000; t += 5_000) expect(m.observe('Unknown', t)).toBe('Initializing');
    expect(m.observe('Healthy', 56_000)).toBe('Initializing');
    expect(m.observe('Healthy', 57_000)).toBe('Initializing');
    expect(m.observe('Healthy', 58_000)).toBe('Healthy');
    expect(triggersRepair(m.state)).toBe(false);
  });

  it('leaves Initializing for Unknown when the grace period ends first, which triggers repairs', () => {
    const m = new HealthStateMachine(rich, 0);
    expect(m.observe('Healthy', 59_000)).toBe('Initializing');
    expect(m.observe('Unknown', 60_000)).toBe('Unknown');
    expect(triggersRepair(m.state)).toBe(true);
  });

  it('goes Unhealthy only after numberOfProbes consecutive Unhealthy answers; one blip changes nothing', () => {
    const m = new HealthStateMachine(rich, 0);
    for (const t of [1, 2, 3]) m.observe('Healthy', t);
    expect(m.state).toBe('Healthy');
    expect(m.observe('Unhealthy', 4)).toBe('Healthy');
    expect(m.observe('Healthy', 5)).toBe('Healthy');
    expect(m.observe('Unhealthy', 6)).toBe('Healthy');
    expect(m.observe('Unhealthy', 7)).toBe('Healthy');
    expect(m.observe('Unhealthy', 8)).toBe('Unhealthy');
  });

  it('tcp probes end the grace period Unhealthy, not Unknown', () => {
    const m = new HealthStateMachine({ ...rich, protocol: 'tcp' }, 0);
    expect(m.observe('Unhealthy', 60_000)).toBe('Unhealthy');
  });
});

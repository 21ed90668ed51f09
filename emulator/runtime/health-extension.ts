// The Application Health extension as Microsoft documents it ("Using Application Health extension
// with Virtual Machine Scale Sets"; docs/emulator.md ### 7.), as a pure state machine the local
// cloud's health monitor feeds with probe answers. Rich Health States (typeHandlerVersion 2.x):
// an instance starts Initializing and leaves it after `numberOfProbes` consecutive identical
// Healthy/Unhealthy answers, or for Unknown when `gracePeriod` expires first (http/https); after
// that the state changes only after `numberOfProbes` consecutive identical answers. Binary Health
// States (1.x): 2xx is Healthy, anything else Unhealthy, no Initializing.
import type { Json } from '../core/store.js';

export type HealthState = 'Initializing' | 'Healthy' | 'Unhealthy' | 'Unknown';
/** What one probe got back, already read as the extension reads it. */
export type ProbeSignal = 'Healthy' | 'Unhealthy' | 'Unknown';

export interface HealthSettings {
  rich: boolean;
  protocol: 'http' | 'https' | 'tcp';
  requestPath: string;
  intervalSeconds: number;
  numberOfProbes: number;
  graceSeconds: number;
}

const clamp = (v: unknown, min: number, max: number, fallback: number) => {
  const n = Number(v);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.round(n))) : fallback;
};

/** The extension's settings in a scale set's VM profile, with Microsoft's defaults and limits; undefined without one. */
export function healthSettingsOf(vmss: Json | undefined): HealthSettings | undefined {
  const ext = (vmss?.properties?.virtualMachineProfile?.extensionProfile?.extensions ?? []).find(
    (e: Json) =>
      e.properties?.publisher === 'Microsoft.ManagedServices' && /^ApplicationHealth(Linux|Windows)$/.test(e.properties?.type ?? ''),
  );
  if (!ext) return undefined;
  const s = ext.properties.settings ?? {};
  const intervalSeconds = clamp(s.intervalInSeconds, 5, 60, 5);
  const numberOfProbes = clamp(s.numberOfProbes, 1, 24, 1);
  return {
    rich: String(ext.properties.typeHandlerVersion ?? '1.0').startsWith('2'),
    protocol: s.protocol === 'https' || s.protocol === 'tcp' ? s.protocol : 'http',
    requestPath: String(s.requestPath ?? '/'),
    intervalSeconds,
    numberOfProbes,
    // "default = intervalInSeconds * numberOfProbes; maximum grace period is 14400 seconds"
    graceSeconds: clamp(s.gracePeriod, 0, 14_400, intervalSeconds * numberOfProbes),
  };
}

/** Reads a probe's HTTP answer as the extension does: status and, for rich states, the body. */
export function readProbeAnswer(settings: HealthSettings, status: number | undefined, body: string): ProbeSignal {
  const ok = status !== undefined && status >= 200 && status < 300;
  if (!settings.rich) return ok ? 'Healthy' : 'Unhealthy';
  if (!ok) return 'Unknown'; // non-2xx, timeout, unreachable
  try {
    const state = (JSON.parse(body) as { ApplicationHealthState?: unknown }).ApplicationHealthState;
    // Only Healthy and Unhealthy are values the extension reads; anything else (the agent's
    // "Initializing" while it loads) is an invalid value: Unknown, which keeps a new instance
    // Initializing until the grace period ends.
    return state === 'Healthy' || state === 'Unhealthy' ? state : 'Unknown';
  } catch {
    return 'Unknown'; // missing or invalid ApplicationHealthState
  }
}

export class HealthStateMachine {
  private current: HealthState;
  private candidate: ProbeSignal | undefined;
  private streak = 0;

  /** `startedAt`: the extension's start, in the same unit as the `now` given to observe (ms). */
  constructor(
    private readonly settings: HealthSettings,
    private readonly startedAt: number,
    private readonly msPerSecond = 1000,
  ) {
    this.current = settings.rich ? 'Initializing' : 'Unhealthy';
  }

  get state(): HealthState {
    return this.current;
  }

  /** One probe answer at time `now`; returns the state after it. */
  observe(signal: ProbeSignal, now: number): HealthState {
    this.streak = signal === this.candidate ? this.streak + 1 : 1;
    this.candidate = signal;
    const settled = this.streak >= this.settings.numberOfProbes;
    if (this.current === 'Initializing') {
      // An app still answering Initializing (read as Unknown here) keeps the instance there until the grace ends.
      if (settled && signal !== 'Unknown') this.current = signal;
      else if (now - this.startedAt >= this.settings.graceSeconds * this.msPerSecond)
        this.current = this.settings.protocol === 'tcp' ? 'Unhealthy' : 'Unknown';
      return this.current;
    }
    if (settled) this.current = signal;
    return this.current;
  }
}

/** What Microsoft's table says each state means to automatic repairs. */
export const triggersRepair = (s: HealthState): boolean => s === 'Unhealthy' || s === 'Unknown';

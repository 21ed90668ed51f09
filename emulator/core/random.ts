// Seeded randomness: every random choice the emulator makes (ids, keys, jitter, fault rolls)
// comes from one generator, so a failing run replays with the same seed.

import { mulberry32 } from '../../lib/mulberry32.js';

export class Rng {
  /** mulberry32 (lib/mulberry32.ts): small, fast, good enough for test scheduling (not for secrets). */
  readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = mulberry32(seed >>> 0 || 0x9e3779b9);
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  hex(bytes: number): string {
    let s = '';
    for (let i = 0; i < bytes; i++) s += this.int(256).toString(16).padStart(2, '0');
    return s;
  }
  uuid(): string {
    const h = this.hex(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  /** A base64 key shaped like Azure's account keys (64 bytes). */
  key(bytes = 64): string {
    return Buffer.from(this.hex(bytes), 'hex').toString('base64');
  }
}

// Where apply events go: what every progress renderer (progress.ts, progress-ink.tsx) is.
import type { ProgressEvent } from './apply.js';

export interface ProgressSink {
  event(e: ProgressEvent): void;
  /** Flush and release the terminal. */
  close(): Promise<void>;
}

// Placeholder until the adapter lands (keeps the build green for everyone).
import type { Logger } from '../../log.js';
export class VllmEngine {
  constructor(_config: unknown, _log: Logger) { throw new Error('engine not implemented yet'); }
}

// Registers every resource family's behaviors. Adding a family = one file + one line here.
import type { EmulatorCore } from '../core/emulator-core.js';
import { registerCompute } from './compute.js';

export function registerAllTypes(core: EmulatorCore): void {
  registerCompute(core);
}

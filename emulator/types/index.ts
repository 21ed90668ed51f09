// Registers every resource family's behaviors. Adding a family = one file + one line here.
import type { EmulatorCore } from '../core/emulator-core.js';

export function registerAllTypes(_core: EmulatorCore): void {}

// Picks the engine the config names. llamacpp and vllm are imported lazily so an agent running
// the simulator never loads the native llama.cpp binding or execa.
import type { AgentConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { Engine } from './engine.js';
import { SimEngine } from './sim/sim-engine.js';

export async function createEngine(config: AgentConfig['engine'], log: Logger): Promise<Engine> {
  switch (config.type) {
    case 'sim':
      return new SimEngine({
        model: config.model,
        gpu: config.gpu,
        loadMs: config.loadMs,
        failLoad: config.failLoad,
        maxQueue: config.maxQueue,
      });
    case 'llamacpp': {
      const { LlamaCppEngine } = await import('./llamacpp/llamacpp-engine.js');
      return new LlamaCppEngine(config, log.child({ engine: 'llamacpp' }));
    }
    case 'vllm': {
      const { VllmEngine } = await import('./vllm/vllm-engine.js');
      return new VllmEngine(config, log.child({ engine: 'vllm' }));
    }
  }
}

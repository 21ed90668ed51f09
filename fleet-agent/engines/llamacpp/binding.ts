// node-llama-cpp is loaded only when a GGUF pool starts, and a missing package or prebuilt binary
// is an error that names the install command: the agent never downloads or compiles llama.cpp
// (getLlama runs with build: 'never'), and a dev install carries the CPU build only (empty
// stand-ins for the CUDA/Vulkan builds, vendor/llama-gpu-build-omitted/, are file: devDependencies).
import type { Llama, LlamaOptions } from 'node-llama-cpp';
import { NODE_LLAMA_CPP_VERSION } from '../../../contracts/engine-versions.js';

/** The exact version the agent is built and tested against. */
export const NODE_LLAMA_CPP_INSTALL = `npm install --no-save node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`;

type Binding = typeof import('node-llama-cpp');

export class LlamaBindingMissingError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'LlamaBindingMissingError';
  }
}

const isModuleNotFound = (e: unknown) => ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes((e as { code?: string })?.code ?? '');

export async function importNodeLlamaCpp(load: () => Promise<Binding> = () => import('node-llama-cpp')): Promise<Binding> {
  try {
    return await load();
  } catch (e) {
    if (!isModuleNotFound(e)) throw e;
    throw new LlamaBindingMissingError(
      `node-llama-cpp is not installed: llamacpp pools need it. Run \`${NODE_LLAMA_CPP_INSTALL}\` next to the agent.`,
      e,
    );
  }
}

/** getLlama, with "no prebuilt binary for this platform/GPU" turned into an error naming the fix. */
export async function getLlamaOrExplain(binding: Binding, options: LlamaOptions): Promise<Llama> {
  try {
    return await binding.getLlama(options);
  } catch (e) {
    if ((e as Error)?.name !== 'NoBinaryFoundError') throw e;
    throw new LlamaBindingMissingError(
      `no prebuilt llama.cpp binary for ${process.platform}-${process.arch} (gpu: ${JSON.stringify(options.gpu ?? 'auto')}): ` +
        `run \`${NODE_LLAMA_CPP_INSTALL}\` on this machine (it installs the builds npm can use here), or set the engine's gpu to false for the CPU build.`,
      e,
    );
  }
}

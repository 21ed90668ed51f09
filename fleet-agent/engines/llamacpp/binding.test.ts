// A missing node-llama-cpp, or a missing prebuilt binary, is an error naming the install command.
import { describe, expect, it } from 'vitest';
import { LlamaBindingMissingError, NODE_LLAMA_CPP_INSTALL, getLlamaOrExplain, importNodeLlamaCpp } from './binding.js';

type Binding = Awaited<ReturnType<typeof importNodeLlamaCpp>>;

describe('node-llama-cpp binding', () => {
  it('loads the installed package', async () => {
    const binding = await importNodeLlamaCpp();
    expect(typeof binding.getLlama).toBe('function');
  });

  it('names the install command when the package is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'node-llama-cpp'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const err = await importNodeLlamaCpp(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlamaBindingMissingError);
    expect((err as Error).message).toContain(NODE_LLAMA_CPP_INSTALL);
    expect(NODE_LLAMA_CPP_INSTALL).toBe('npm install --no-save node-llama-cpp@3.21.1');
  });

  it('passes other load errors through unchanged', async () => {
    const boom = new Error('boom');
    await expect(importNodeLlamaCpp(() => Promise.reject(boom))).rejects.toBe(boom);
  });

  it('names the fix when no prebuilt binary fits this machine', async () => {
    const noBinary = Object.assign(new Error('NoBinaryFoundError'), { name: 'NoBinaryFoundError' });
    const binding = { getLlama: () => Promise.reject(noBinary) } as unknown as Binding;
    const err = await getLlamaOrExplain(binding, { gpu: 'cuda', build: 'never' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlamaBindingMissingError);
    expect((err as Error).message).toMatch(/no prebuilt llama\.cpp binary .*gpu: "cuda".*npm install --no-save node-llama-cpp@3\.21\.1/);
  });
});

// What a GPU VM installs and what its agent checks it runs: the VM bootstrap (src/templates/)
// installs this node-llama-cpp for GGUF pools, and the agent names it when the binding is missing.
// Pinned exactly: the version the agent is built and tested against, on Node 20.
export const NODE_LLAMA_CPP_VERSION = '3.21.1';

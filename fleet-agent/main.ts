// `gpuarb-agent --config <file>`: the fleet agent's one entry point. bin/gpuarb-agent.js imports its
// bundle (dist/agent.js) and calls main(); run as the process's own script — the single-file VM
// bundle, or `node --import tsx fleet-agent/main.ts` in tests, which never race with a rebuild of
// dist/ that way — it runs main() itself. `gpuarb-agent sim-vllm serve <model> …` runs the
// simulator as a vLLM-compatible process instead (a stand-in for `vllm serve` in local runs and tests).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Agent } from './agent.js';
import { ConfigError, loadAgentConfig } from './config.js';
import { createLogger } from './log.js';

const USAGE = `usage: gpuarb-agent --config <file.json>
       gpuarb-agent sim-vllm serve <model> [--port N] [--host H] [--served-model-name NAME] [--dtype D] [--sim-gpu GPU] [--sim-load-ms N]

Environment overrides: GPUARB_AGENT_<FIELD>[__<FIELD>…]=value (e.g. GPUARB_AGENT_LISTEN__PORT=9000).
See docs/fleet-agent.md for the config format.`;

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'sim-vllm') {
    const { runSimVllmCli } = await import('./sim/vllm-cli.js');
    await runSimVllmCli(argv.slice(1));
    return;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const at = argv.indexOf('--config');
  const path = at === -1 ? process.env.GPUARB_AGENT_CONFIG : argv[at + 1];
  const bootLog = createLogger('info', { service: 'gpuarb-agent' });
  if (!path) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  let agent: Agent;
  try {
    agent = await Agent.start(loadAgentConfig(path));
  } catch (e) {
    bootLog.error(e instanceof ConfigError ? e.message : 'agent failed to start', { err: e });
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      agent.log.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    agent.log.info('signal: draining', { signal });
    agent.stop().then(
      () => process.exit(0),
      (e) => {
        agent.log.error('stop failed', { err: e });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/**
 * Whether this module is the script node was started with. Node loads that script by its real
 * path, so argv[1] is resolved the same way; under the launcher argv[1] is bin/gpuarb-agent.js,
 * which calls main() itself, so it must not run twice.
 */
function isProcessEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false; // argv[1] is not a file (e.g. `node -e`): this module was imported
  }
}

if (isProcessEntry()) await main(process.argv.slice(2));

// `gpuarb-agent --config <file>`: the fleet agent's entry (bundled to dist/agent.js and to the
// single-file VM bundle). `gpuarb-agent sim-vllm serve <model> …` runs the simulator as a
// vLLM-compatible process instead (a stand-in for `vllm serve` in local runs and tests).
import { Agent } from './agent.js';
import { ConfigError, loadAgentConfig } from './config.js';
import { createLogger } from './log.js';

const USAGE = `usage: gpuarb-agent --config <file.json>
       gpuarb-agent sim-vllm serve <model> [--port N] [--host H] [--served-model-name NAME] [--sim-gpu GPU] [--sim-load-ms N]

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

// Starts a real agent in-process on port 0 for tests, with a memory logger and the sim engine
// unless told otherwise. Returns everything a test needs and a stop() that always cleans up.
import { Agent, type AgentOptions } from '../fleet-agent/agent.js';
import { parseAgentConfig, type AgentConfigInput } from '../fleet-agent/config.js';
import type { Engine } from '../fleet-agent/engines/engine.js';
import { memoryLogger } from '../fleet-agent/log.js';

const TEST_KEY = 'test-internal-key-0123456789';

export interface TestAgent {
  agent: Agent;
  url: string;
  key: string;
  lines: Record<string, unknown>[];
  headers: Record<string, string>;
  stop(): Promise<void>;
}

export async function startTestAgent(
  overrides: Partial<AgentConfigInput> = {},
  options: AgentOptions & { engine?: Engine } = {},
): Promise<TestAgent> {
  const config = parseAgentConfig({
    instanceName: 'test-vm-0',
    pool: 'phi',
    listen: { host: '127.0.0.1', port: 0 },
    engine: { type: 'sim', model: 'phi3-mini', gpu: 'none' },
    auth: { type: 'static', keys: [TEST_KEY] },
    scheduledEvents: { enabled: false },
    drain: { sigtermGraceMs: 5000, retryAfterSeconds: 1 },
    ...overrides,
  });
  const { logger, lines } = memoryLogger('debug');
  const agent = await Agent.start(config, { log: logger, ...options });
  let stopped = false;
  return {
    agent,
    url: agent.baseUrl(),
    key: TEST_KEY,
    lines,
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    async stop() {
      if (stopped) return;
      stopped = true;
      await agent.stop(0);
    },
  };
}

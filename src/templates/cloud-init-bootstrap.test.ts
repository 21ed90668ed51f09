// The VM bootstrap never puts a token on a command line: any user or process on a GPU VM (which
// runs third-party engine and model code) can read every process's argv. Tokens go to curl on
// stdin (`-H @-`) from the printf builtin, which starts no process.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bootstrapScript, type BootstrapParams } from './cloud-init-bootstrap.js';

const params = (engine: BootstrapParams['engine']): BootstrapParams => ({
  clientId: 'client-id',
  bundleUrl: 'https://st.blob.core.windows.net/artifacts/agent.mjs',
  bundleSha256: 'ab'.repeat(32),
  keyVaultUrl: 'https://kv.vault.azure.net/',
  hfTokenSecret: 'hf-token',
  engine,
  modelRepo: engine === 'vllm' ? 'org/model' : undefined,
  modelUrl: engine === 'llamacpp' ? 'https://huggingface.co/org/model/resolve/main/m.gguf' : undefined,
  modelDir: '/var/lib/gpuarb/models/m',
  vllmVersion: '0.6.3',
  nodeLlamaCppVersion: '3.0.0',
  installGpuDriver: false,
  agentPort: 8080,
});

describe('VM bootstrap: no token on any command line', () => {
  it.each(['vllm', 'llamacpp', 'sim'] as const)('%s: no command is given a token or an Authorization header as an argument', (engine) => {
    const script = bootstrapScript(params(engine));
    // Every line that runs a program with a token variable or an Authorization header in its
    // arguments (the printf builtin inside bearer_curl is not a program).
    const exposed = script
      .split('\n')
      .filter((l) => /\$\{?(STORAGE_TOKEN|KV_TOKEN|HF_TOKEN|token)\b|Authorization:|AUTH\[@\]/.test(l))
      .filter((l) => !/^\s*printf 'Authorization: Bearer %s\\n' "\$token" \| curl -H @- "\$@"$/.test(l))
      .filter(
        (l) =>
          !/^\s*(bearer_curl "\$(STORAGE_TOKEN|KV_TOKEN)"|.*=\$\(bearer_curl "\$KV_TOKEN"|\s*if \[ -n "\$HF_TOKEN" \]; then GET=\(bearer_curl "\$HF_TOKEN"\))/.test(
            l,
          ),
      )
      .filter((l) => !/^\s*(local token=\$1|export HF_TOKEN|[A-Z_]+_TOKEN=\$\(token )/.test(l));
    expect(exposed).toEqual([]);
  });

  it("bearer_curl sends the header, and curl's argv never holds the token", async () => {
    const script = bootstrapScript(params('sim'));
    const fn = /^bearer_curl\(\) \{\n[\s\S]*?\n\}$/m.exec(script)?.[0];
    expect(fn).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'bearer-curl-'));
    // A curl in front of the real one that records its argv, as `ps` on the VM would show it.
    writeFileSync(
      join(dir, 'curl'),
      `#!/bin/bash\nprintf '%s\\n' "$*" >> ${JSON.stringify(join(dir, 'argv.log'))}\nexec /usr/bin/curl "$@"\n`,
    );
    chmodSync(join(dir, 'curl'), 0o755);
    let seen: string | undefined;
    const server = createServer((req, res) => {
      seen = req.headers.authorization;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle`;
      const { stdout } = await promisify(execFile)(
        'bash',
        ['-c', `set -euo pipefail\n${fn}\nTOKEN=sekrit-token-123\nbearer_curl "$TOKEN" -sf ${url}`],
        {
          env: { PATH: `${dir}:${process.env.PATH}` },
        },
      );
      expect(stdout).toBe('ok');
      expect(seen).toBe('Bearer sekrit-token-123');
      const argv = readFileSync(join(dir, 'argv.log'), 'utf8');
      expect(argv).toContain(url);
      expect(argv).not.toContain('sekrit');
    } finally {
      server.close();
    }
  });
});

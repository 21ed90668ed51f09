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
import { bootstrapScript, modelDiskLines, type BootstrapParams } from './cloud-init-bootstrap.js';

const params = (engine: BootstrapParams['engine']): BootstrapParams => ({
  clientId: 'client-id',
  bundleUrl: 'https://st.blob.core.windows.net/artifacts/agent.mjs',
  bundleSha256: 'ab'.repeat(32),
  keyVaultUrl: 'https://kv.vault.azure.net/',
  hfTokenSecret: 'hf-token',
  engine,
  modelRepo: engine === 'vllm' ? 'org/model' : undefined,
  modelUrl: engine === 'llamacpp' ? 'https://huggingface.co/org/model/resolve/main/m.gguf' : undefined,
  modelDir: '/mnt/models/m',
  modelRoot: '/mnt/models',
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
      .filter((l) => !/^\s*(local token=\$1|[A-Z_]+_TOKEN=\$\(token )/.test(l))
      // The `[` builtin, and an environment assignment in front of a command, put nothing on argv.
      .filter((l) => !/^\s*(\[ -n "\$HF_TOKEN" \] \|\||HF_TOKEN="\$HF_TOKEN" \/opt\/vllm\/bin\/huggingface-cli download )/.test(l));
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

describe('VM bootstrap: the model download', () => {
  it('fetches only the serving files of the repo, with the token in the environment of the download alone', () => {
    const script = bootstrapScript(params('vllm'));
    const download = script.split('\n').findIndex((l) => l.includes('huggingface-cli download'));
    expect(script.split('\n')[download]).toBe(
      `HF_TOKEN="$HF_TOKEN" /opt/vllm/bin/huggingface-cli download 'org/model' --local-dir '/mnt/models/m' \\`,
    );
    const include = script.split('\n')[download + 1];
    for (const pattern of ['*.safetensors', 'config.json', 'generation_config.json', 'tokenizer*'])
      expect(include).toContain(`'${pattern}'`);
    expect(include).not.toMatch(/\*\.bin|\*\.pth/);
    expect(include).toContain("--exclude 'original/*'");
    expect(script).not.toMatch(/^export HF_TOKEN/m);
    expect(script).toContain("compgen -G '/mnt/models/m/*.safetensors'");
  });
});

describe('VM bootstrap: the local NVMe disk for the weights', () => {
  /** Runs the disk step with lsblk/blkid/mkfs/mount/df/mountpoint stand-ins that record their calls. */
  async function runDiskStep(disks: string, tree: string) {
    const dir = mkdtempSync(join(tmpdir(), 'nvme-'));
    const calls = join(dir, 'calls.log');
    const fake = (name: string, body: string) => {
      writeFileSync(join(dir, name), `#!/bin/bash\necho "${name} $*" >> ${JSON.stringify(calls)}\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    fake('mountpoint', 'exit 1');
    fake('lsblk', `if [ "$1" = -dpno ]; then printf '%b' ${JSON.stringify(disks)}; else printf '%b' ${JSON.stringify(tree)}; fi`);
    fake('blkid', 'exit 2');
    fake('mkfs.ext4', 'exit 0');
    fake('mount', 'exit 0');
    fake('df', 'printf "Filesystem\\n/dev/sdb1\\n"');
    const root = join(dir, 'models');
    const { stdout } = await promisify(execFile)('bash', ['-c', `set -euo pipefail\n${modelDiskLines(root).join('\n')}`], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
    });
    return { stdout, calls: readFileSync(calls, 'utf8'), root };
  }

  it('formats and mounts a raw NVMe disk (NC A100 v4: /dev/nvme0n1)', async () => {
    const r = await runDiskStep('/dev/nvme0n1 disk \n', '/dev/nvme0n1\n');
    expect(r.calls).toContain('mkfs.ext4 -q -F -L gpuarb-models /dev/nvme0n1');
    expect(r.calls).toContain(`mount -o noatime /dev/nvme0n1 ${r.root}`);
    expect(r.stdout).toBe(`model disk: local NVMe /dev/nvme0n1 mounted on ${r.root}\n`);
  });

  it('leaves a partitioned NVMe disk (an OS disk) alone and says where the model goes instead', async () => {
    const r = await runDiskStep('/dev/nvme0n1 disk \n', '/dev/nvme0n1\n/dev/nvme0n1p1\n');
    expect(r.calls).not.toContain('mkfs');
    expect(r.calls).not.toMatch(/^mount /m);
    expect(r.stdout).toBe('model disk: no local NVMe disk; the model goes on /dev/sdb1, which loads slower\n');
  });

  it('falls back with a log line when the VM has no NVMe disk (NCasT4_v3)', async () => {
    const r = await runDiskStep('', '');
    expect(r.calls).not.toContain('mkfs');
    expect(r.stdout).toContain('model disk: no local NVMe disk');
  });
});

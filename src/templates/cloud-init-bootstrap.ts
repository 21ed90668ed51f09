// The boot script cloud-init runs once on each GPU VM (as root). Everything it fetches it fetches
// with the VM's user-assigned managed identity from IMDS: no secret is in customData. Steps are
// idempotent, so a re-run after a failed boot converges.

export interface BootstrapParams {
  clientId: string;
  bundleUrl: string;
  bundleSha256: string;
  keyVaultUrl: string;
  hfTokenSecret: string;
  engine: 'vllm' | 'llamacpp' | 'sim';
  /** What to download: a Hugging Face repo (vllm) or a GGUF URL (llamacpp); none for sim. */
  modelRepo?: string;
  modelUrl?: string;
  modelDir: string;
  /** Mount point for the VM's local NVMe disk, which modelDir lies under. */
  modelRoot: string;
  vllmVersion: string;
  nodeLlamaCppVersion: string;
  installGpuDriver: boolean;
  agentPort: number;
}

/** What vLLM loads from a Hugging Face repo; huggingface-cli matches these with fnmatch. */
export const SERVING_FILES = [
  '*.safetensors',
  '*.safetensors.index.json',
  'config.json',
  'generation_config.json',
  'tokenizer*',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
  'quant_config.json',
];

/**
 * The local NVMe disk (NC A100 v4, NC H100 v5) for the weights: Azure presents NVMe temp disks
 * raw and unformatted, so the bootstrap formats and mounts the first whole, unpartitioned,
 * unmounted one. Without one the weights go on whatever holds modelRoot (the SCSI temp disk at
 * /mnt on NCasT4_v3, else the OS disk), with a log line saying so.
 */
export function modelDiskLines(modelRoot: string): string[] {
  const root = shq(modelRoot);
  return [
    `mkdir -p ${root}`,
    `if ! mountpoint -q ${root}; then`,
    `  NVME=$(lsblk -dpno NAME,TYPE,MOUNTPOINT /dev/nvme*n1 2>/dev/null | awk '$2 == "disk" && $3 == "" { print $1; exit }' || true)`,
    '  if [ -n "$NVME" ] && [ "$(lsblk -npo NAME "$NVME" | wc -l)" -eq 1 ]; then',
    '    blkid "$NVME" >/dev/null 2>&1 || mkfs.ext4 -q -F -L gpuarb-models "$NVME"',
    `    mount -o noatime "$NVME" ${root}`,
    `    echo "model disk: local NVMe $NVME mounted on ${modelRoot}"`,
    '  else',
    `    echo "model disk: no local NVMe disk; the model goes on $(df --output=source ${root} | tail -1), which loads slower"`,
    '  fi',
    'fi',
  ];
}

/** Single-quotes a value for bash. */
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function bootstrapScript(p: BootstrapParams): string {
  const lines = [
    '#!/bin/bash',
    '# gpuarb VM bootstrap: Node 20, the agent bundle, the engine, the model, then the agent service.',
    'set -euo pipefail',
    'exec > >(tee -a /var/log/gpuarb-bootstrap.log) 2>&1',
    `CLIENT_ID=${shq(p.clientId)}`,
    'IMDS=http://169.254.169.254/metadata',
    '',
    '# curl with a bearer token: the header goes in on stdin (-H @-, from the printf builtin), never',
    '# on a command line, where any user or process on the VM could read it (ps, /proc/<pid>/cmdline).',
    'bearer_curl() {',
    '  local token=$1',
    '  shift',
    `  printf 'Authorization: Bearer %s\\n' "$token" | curl -H @- "$@"`,
    '}',
    '',
    '# An access token for `resource` from the managed identity (retried: IMDS can lag at boot).',
    'token() {',
    '  curl -sf --retry 10 --retry-delay 3 --retry-all-errors -H Metadata:true \\',
    '    "$IMDS/identity/oauth2/token?api-version=2018-02-01&resource=$1&client_id=$CLIENT_ID" | jq -r .access_token',
    '}',
    '',
    '# Node 20 from NodeSource (the agent targets Node 20).',
    'if ! node --version 2>/dev/null | grep -q "^v20\\."; then',
    '  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -',
    '  apt-get install -y nodejs',
    'fi',
    '# The agent (and the engine it runs) as its own system user: no login shell, no password, in no',
    '# group but its own (so no sudo), never the admin user the scale set creates for SSH.',
    'id gpuarb >/dev/null 2>&1 || useradd --system --user-group --create-home --home-dir /var/lib/gpuarb --shell /usr/sbin/nologin gpuarb',
    'mkdir -p /opt/gpuarb /etc/gpuarb',
    '',
    '# The agent bundle from blob storage, checked against the hash provisioning recorded.',
    'STORAGE_TOKEN=$(token https://storage.azure.com/)',
    `bearer_curl "$STORAGE_TOKEN" -sf --retry 5 -H "x-ms-version: 2021-08-06" ${shq(p.bundleUrl)} -o /opt/gpuarb/gpuarb-agent.mjs.new`,
    `echo ${shq(`${p.bundleSha256}  /opt/gpuarb/gpuarb-agent.mjs.new`)} | sha256sum -c -`,
    'mv /opt/gpuarb/gpuarb-agent.mjs.new /opt/gpuarb/gpuarb-agent.mjs',
    '',
    '# Per-instance settings from IMDS, as GPUARB_AGENT_* overrides of /etc/gpuarb/agent.json.',
    'COMPUTE=$(curl -sf -H Metadata:true "$IMDS/instance/compute?api-version=2021-02-01")',
    'IP=$(curl -sf -H Metadata:true "$IMDS/instance/network/interface/0/ipv4/ipAddress/0/privateIpAddress?api-version=2021-02-01&format=text")',
    'ZONE=$(echo "$COMPUTE" | jq -r \'.zone // ""\')',
    'PRIORITY=$(echo "$COMPUTE" | jq -r \'if (.priority // "") == "Spot" then "Spot" else "Regular" end\')',
    '{',
    '  echo "GPUARB_AGENT_INSTANCE_NAME=$(echo "$COMPUTE" | jq -r .name)"',
    '  if [ -n "$ZONE" ]; then echo "GPUARB_AGENT_ZONE=\\"$ZONE\\""; else echo "GPUARB_AGENT_ZONE=null"; fi',
    '  echo "GPUARB_AGENT_PRIORITY=$PRIORITY"',
    `  echo "GPUARB_AGENT_ADVERTISE_URL=http://$IP:${p.agentPort}"`,
    '} > /etc/gpuarb/instance.env',
    '',
  ];
  if (p.installGpuDriver) {
    lines.push(
      '# NVIDIA driver (plain Ubuntu image; the HPC image ships one). A reboot-free install: the',
      '# server driver packages load their module at once.',
      'if ! nvidia-smi >/dev/null 2>&1; then',
      '  apt-get install -y ubuntu-drivers-common',
      '  ubuntu-drivers install --gpgpu',
      '  modprobe nvidia || true',
      'fi',
      'nvidia-smi',
      '',
    );
  }
  if (p.engine !== 'sim') {
    const hfTokenUrl = `${p.keyVaultUrl.replace(/\/$/, '')}/secrets/${p.hfTokenSecret}?api-version=7.4`;
    lines.push(
      '# The model-hub token from Key Vault (optional secret, set with `gpuarb secrets set hf-token`;',
      '# public models need none). It stays a shell variable: only the download gets it, in its environment.',
      'KV_TOKEN=$(token https://vault.azure.net)',
      `HF_TOKEN=$(bearer_curl "$KV_TOKEN" -s ${shq(hfTokenUrl)} | jq -r '.value // empty')`,
      `[ -n "$HF_TOKEN" ] || echo "no ${p.hfTokenSecret} secret in Key Vault: downloading without a token (gated models will fail)"`,
      ...modelDiskLines(p.modelRoot),
      `mkdir -p ${shq(p.modelDir)}`,
    );
  }
  if (p.engine === 'vllm') {
    lines.push(
      '# vLLM in its own virtualenv; its wheels bring the CUDA runtime, the driver is all it needs.',
      'apt-get install -y python3-venv python3-pip',
      '[ -x /opt/vllm/bin/vllm ] || python3 -m venv /opt/vllm',
      `/opt/vllm/bin/pip install --quiet ${shq(`vllm==${p.vllmVersion}`)} huggingface_hub`,
      '# Only the files vLLM serves from: safetensors weights, configs, tokenizer (no *.bin/*.pth copies, no original/).',
      `HF_TOKEN="$HF_TOKEN" /opt/vllm/bin/huggingface-cli download ${shq(p.modelRepo ?? '')} --local-dir ${shq(p.modelDir)} \\`,
      `  --include ${SERVING_FILES.map(shq).join(' ')} --exclude 'original/*'`,
      `if ! compgen -G ${shq(`${p.modelDir}/*.safetensors`)} >/dev/null; then`,
      `  echo ${shq(`${p.modelRepo} has no *.safetensors weights: gpuarb downloads and serves safetensors only`)} >&2`,
      '  exit 1',
      'fi',
      '',
    );
  }
  if (p.engine === 'llamacpp') {
    lines.push(
      '# node-llama-cpp (native, so not in the bundle) next to the agent, and the GGUF file.',
      `(cd /opt/gpuarb && npm install --no-audit --no-fund ${shq(`node-llama-cpp@${p.nodeLlamaCppVersion}`)})`,
      `if [ ! -s ${shq(`${p.modelDir}/model.gguf`)} ]; then`,
      `  if [ -n "$HF_TOKEN" ]; then GET=(bearer_curl "$HF_TOKEN"); else GET=(curl); fi`,
      `  "\${GET[@]}" -fL --retry 5 ${shq(p.modelUrl ?? '')} -o ${shq(`${p.modelDir}/model.gguf`)}`,
      'fi',
      '',
    );
  }
  lines.push(
    `chown -R gpuarb:gpuarb /opt/gpuarb /etc/gpuarb ${p.engine === 'sim' ? '' : shq(p.modelDir)}`.trim(),
    'systemctl daemon-reload',
    'systemctl enable --now gpuarb-agent.service',
  );
  return `${lines.join('\n')}\n`;
}

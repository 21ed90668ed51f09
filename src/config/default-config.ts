// The default platform: the design's three models on the SKUs that fit them (docs/design.md
// "GPU SKUs"). `gpuarb init` writes this text (commented) and `--local` uses it when there is no
// gpuarb.yaml, so a fresh clone runs with no file at all.

export interface DefaultConfigInputs {
  stack: string;
  location: string;
  subscription?: string;
}

export function defaultConfigYaml(i: DefaultConfigInputs): string {
  return `# gpuarb.yaml: one inference stack on Azure spot GPUs. Validate with \`gpuarb config validate\`.
# Every key below has a default except stack and pools; delete what you do not need to change.

stack: ${i.stack}                # 3–20 chars; all Azure resource names derive from it
${i.subscription ? `subscription: ${i.subscription}` : '# subscription: 00000000-0000-0000-0000-000000000000   # or AZURE_SUBSCRIPTION_ID'}
location: ${i.location}
tags:
  cost-center: inference
  environment: production

network:
  addressSpace: 10.40.0.0/16
  vmssSubnet: 10.40.0.0/20       # GPU VMs
  functionsSubnet: 10.40.16.0/24 # gateway (Flex Consumption VNet integration)

gateway:
  cache:
    ttl: 1h                      # deterministic answers (temperature 0 or a seed) are reused this long
    scope: per-customer          # global shares answers (and prompts) across customers: see docs/security.md
  tiers:                         # API Management products: per-key rate limit and quota
    standard: { rateLimit: { calls: 60, period: 60s }, quota: { calls: 100000, period: 30d } }
    pro:      { rateLimit: { calls: 600, period: 60s }, quota: { calls: 5000000, period: 30d } }
  defaultTier: standard
  jobs: { enabled: true, maxAttempts: 3, resultTtl: 24h }
  requestTimeout: 120s

pools:
  # Phi-3-mini in fp16 fits one T4 (16 GB).
  - name: phi3
    model: phi3-mini
    engine: vllm
    hfModel: microsoft/Phi-3-mini-4k-instruct
    sku: Standard_NC4as_T4_v3
    gpu: T4
    capacity: { min: 1, max: 8, initial: 2 }
    spot: { evictionPolicy: Delete, maxPrice: -1, regularBase: 1, regularPercentAboveBase: 0, zones: ["1", "2", "3"] }
    prices: { inputPerMillion: 0.15, outputPerMillion: 0.6 }

  # Mixtral-8x7B only fits one A100 80 GB at 4 bit (AWQ).
  - name: mixtral
    model: mixtral-8x7b
    engine: vllm
    hfModel: casperhansen/mixtral-instruct-awq
    quantization: awq
    sku: Standard_NC24ads_A100_v4
    gpu: A100-80GB
    capacity: { min: 1, max: 4, initial: 1 }
    spot: { zones: ["1", "2", "3"] }
    prices: { inputPerMillion: 0.6, outputPerMillion: 1.8 }

  # Llama-3-70B in bf16 needs four A100 80 GB (tensor parallel 4).
  - name: llama70b
    model: llama3-70b
    engine: vllm
    hfModel: meta-llama/Meta-Llama-3-70B-Instruct
    tensorParallel: 4
    sku: Standard_NC96ads_A100_v4
    gpu: 4xA100-80GB
    capacity: { min: 1, max: 2, initial: 1 }
    spot: { zones: ["1", "2", "3"] }
    prices: { inputPerMillion: 0.9, outputPerMillion: 2.7 }

routing:
  aliases:
    gpt-3.5-turbo: phi3-mini
    gpt-4o-mini: mixtral-8x7b
    gpt-4o: llama3-70b
  auto:                          # model: "auto" — first matching rule wins
    rules:
      - { model: llama3-70b, when: { promptTokensOver: 3000 } }
      - { model: mixtral-8x7b, when: { hasTools: true } }
      - { model: mixtral-8x7b, when: { looksLikeCode: true } }
      - { model: mixtral-8x7b, when: { looksLikeMath: true } }
    default: phi3-mini
  fallback:                      # when a model has no ready replica
    llama3-70b: [mixtral-8x7b, phi3-mini]
    mixtral-8x7b: [phi3-mini]

alerts:
  # email: oncall@example.com
  functionFailuresPerMinute: 5
  responseTimeSeconds: 30
  cpuPercent: 80

secrets:
  overlap: 15m                   # old and new values both work this long after a rotation
  rotateEvery: 90d
`;
}

export const LOCAL_DEFAULT_INPUTS: DefaultConfigInputs = { stack: 'gpuarb-local', location: 'eastus' };

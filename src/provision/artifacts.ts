// Code as part of the desired state, behind one seam: take the gateway's Functions package and
// the agent bundle that `npm run build` made (built-artifacts.ts), name them by content hash,
// render cloud-init per pool, and upload blobs when a deploy step asks.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GpuarbConfig, PoolConfig } from '../config/schema.js';
import type { ArmClient } from '../azure/arm-client.js';
import type { AzureTarget } from '../azure/target.js';
import { apiVersionFor } from './api-versions.js';
import { COSMOS_DATABASE, DEPLOYMENT_CONTAINER } from './desired/data.js';
import { registryKeySecretName } from './desired/pool-identities.js';
import { SECRET_NAMES } from './desired/keyvault.js';
import { AGENT_PORT } from './desired/vmss.js';
import { UserError } from '../core/errors.js';
import type { ArtifactRefs } from './desired/index.js';
import type { Deployer } from './steps.js';
import { readBuiltArtifacts } from './built-artifacts.js';
import { signedInPrincipal } from '../azure/operator.js';
import { retryWhileRoleUnpropagated } from './role-propagation.js';
import { gatewayPackageBlob } from './desired/functions.js';

export interface PreparedArtifacts {
  refs?: ArtifactRefs;
  /** Local paths of built artifacts by blob name, for the deployer. */
  files: Record<string, string>;
  cloudInit: Record<string, string>;
  notes: string[];
}

const agentBundleBlob = (hash: string) => `agent-${hash}.mjs`;
const short = (sha256: string) => sha256.slice(0, 16);

/** Fallback cloud-init until fleet-agent's renderCloudInit lands: names the bundle it would fetch. */
function minimalCloudInit(pool: PoolConfig, bundleBlob: string | undefined): string {
  return [
    '#cloud-config',
    `# gpuarb pool ${pool.name} (${pool.engine} ${pool.model})`,
    `# agent bundle: ${bundleBlob ?? 'not built'}`,
    '',
  ].join('\n');
}

/** `{{NAME}}` placeholders filled at apply time from ARM (desired/vmss.ts names the refs). */
const CLOUD_INIT_VARS = {
  clientId: '{{CLIENT_ID}}',
  poolClientId: '{{POOL_CLIENT_ID}}',
  blobEndpoint: '{{BLOB_ENDPOINT}}',
  vaultUri: '{{VAULT_URI}}',
  cosmosEndpoint: '{{COSMOS_ENDPOINT}}',
};

export async function prepareArtifacts(config: GpuarbConfig, opts: { outDir: string; build: boolean }): Promise<PreparedArtifacts> {
  const notes: string[] = [];
  const files: Record<string, string> = {};
  let gatewayHash: string | undefined;
  let agentHash: string | undefined;
  let agentSha: string | undefined;
  if (opts.build) {
    const built = readBuiltArtifacts();
    // Copied under their blob names: the deployer reads them later in the run, and a rebuild of
    // dist/ meanwhile must not change or remove what this plan hashed.
    mkdirSync(opts.outDir, { recursive: true });
    const keep = (blob: string, data: Buffer) => {
      const path = join(opts.outDir, blob);
      writeFileSync(path, data);
      files[blob] = path;
    };
    gatewayHash = short(built.gateway.sha256);
    keep(gatewayPackageBlob(gatewayHash), built.gateway.data);
    agentSha = built.agent.sha256;
    agentHash = short(built.agent.sha256);
    keep(agentBundleBlob(agentHash), built.agent.data);
  }
  const tpl = await import('../templates/cloud-init.js');
  const bundle = agentHash ? agentBundleBlob(agentHash) : undefined;
  const render = (p: PoolConfig): string => {
    if (!tpl?.renderCloudInit || !bundle || !agentSha) return minimalCloudInit(p, bundle);
    try {
      return tpl.renderCloudInit(p, {
        agentBundleUrl: `${CLOUD_INIT_VARS.blobEndpoint}${DEPLOYMENT_CONTAINER}/${bundle}`,
        agentBundleSha256: agentSha,
        managedIdentityClientId: CLOUD_INIT_VARS.clientId,
        keyVaultUrl: CLOUD_INIT_VARS.vaultUri,
        internalKeySecret: SECRET_NAMES.internalServiceKey,
        registrySigning: { secretName: registryKeySecretName(p.name), clientId: CLOUD_INIT_VARS.poolClientId },
        cosmosEndpoint: CLOUD_INIT_VARS.cosmosEndpoint,
        cosmosDatabase: COSMOS_DATABASE,
        agentPort: AGENT_PORT,
      });
    } catch (e) {
      throw new UserError(`pool ${p.name}: ${(e as Error).message}`, {
        code: 'ConfigInvalid',
        hint: "Set the pool's hfModel (engine vllm) or modelFile (engine llamacpp) in gpuarb.yaml.",
      });
    }
  };
  const cloudInit = Object.fromEntries(config.pools.map((p) => [p.name, render(p)]));
  const refs = gatewayHash ? { functionPackageHash: gatewayHash, agentBundleHash: agentHash ?? 'none' } : undefined;
  return { refs, files, cloudInit, notes };
}

/**
 * Uploads content-addressed blobs with the operator's credential (data plane, Entra ID): a blob
 * that exists is never uploaded again, so a rerun after an interruption costs one HEAD.
 */
export function blobDeployer(arm: ArmClient, target: AzureTarget, files: Record<string, string>): Deployer {
  return {
    async ensureUploaded(blobName, storageAccountId, signal) {
      const path = files[blobName];
      if (!path) throw new Error(`artifact ${blobName} was not built in this run`);
      const account = (await arm.get(storageAccountId, apiVersionFor('Microsoft.Storage/storageAccounts'), signal)) as
        | { properties?: { primaryEndpoints?: { blob?: string } } }
        | undefined;
      const endpoint = account?.properties?.primaryEndpoints?.blob;
      if (!endpoint) throw new Error(`storage account ${storageAccountId} has no blob endpoint yet`);
      // Never send the local cloud's token to a real Azure host: the local cloud must serve the
      // blob endpoint itself (on loopback) for code deploys to work there.
      if (target.kind === 'local' && !isLoopback(endpoint)) {
        throw new UserError(`the local cloud serves no blob data plane for ${endpoint}`, {
          code: 'LocalBlobUnavailable',
          hint:
            'This local cloud runs its API only, without local storage: ' +
            'use the daemon (`gpuarb local start`, as `--local` does), or pass --skip-code (infrastructure only).',
        });
      }
      const { BlockBlobClient } = await import('@azure/storage-blob');
      const client = new BlockBlobClient(
        `${endpoint.replace(/\/$/, '')}/${DEPLOYMENT_CONTAINER}/${blobName}`,
        target.credential,
        target.caCertPem ? ({ tlsOptions: { ca: target.caCertPem } } as object) : {},
      );
      const upload = async () => {
        if (await client.exists({ abortSignal: signal })) return;
        const data = readFileSync(path);
        const sha = createHash('sha256').update(data).digest('hex');
        await client.uploadData(data, { abortSignal: signal, metadata: { sha256: sha } });
      };
      // The operator's Blob Data role was written moments ago in this run: wait out its propagation.
      const operator = await signedInPrincipal(target, signal);
      await retryWhileRoleUnpropagated(
        upload,
        {
          role: 'Storage Blob Data Contributor',
          scope: `${storageAccountId}/blobServices/default/containers/${DEPLOYMENT_CONTAINER}`,
          principalId: operator.objectId,
        },
        { signal },
      );
    },
  };
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]';
}

// Microsoft.Web: Flex Consumption plans (FC1) and function apps (config, onedeploy extension).
// Flex apps need functionAppConfig.deployment.storage; WEBSITE_RUN_FROM_PACKAGE is refused there.
import type { EmulatorCore } from '../core/emulator-core.js';
import { ArmError } from '../core/errors.js';

export function registerWeb(core: EmulatorCore): void {
  core.behaviors.register({
    type: 'Microsoft.Web/serverfarms',
    lro: { put: 'async-op', delete: 'sync' },
    patch: true,
    validate(_ctx, body) {
      const sku = body.sku?.name;
      if (sku === 'FC1' && body.kind && !/functionapp/i.test(body.kind))
        throw new ArmError(400, 'BadRequest', "Flex Consumption plans (FC1) must have kind 'functionapp'.");
      if (sku === 'FC1' && body.properties?.reserved !== true)
        throw new ArmError(400, 'BadRequest', 'Flex Consumption plans (FC1) are Linux only: set properties.reserved to true.');
    },
    prepare(_ctx, doc) {
      doc.properties.status = 'Ready';
      doc.properties.numberOfSites ??= 0;
    },
  });
  core.behaviors.register({
    type: 'Microsoft.Web/sites',
    lro: { put: 'async-op', delete: 'sync' },
    patch: true,
    validate(ctx, body) {
      const planId = body.properties?.serverFarmId;
      const plan = planId ? ctx.core.store.get(planId)?.doc : undefined;
      if (planId && !plan) throw new ArmError(404, 'NotFound', `Server farm with id '${planId}' was not found.`);
      if (plan?.sku?.name === 'FC1') {
        if (!body.properties?.functionAppConfig?.deployment?.storage)
          throw new ArmError(400, 'BadRequest', 'Flex Consumption function apps require properties.functionAppConfig.deployment.storage.');
        const settings: { name: string }[] = body.properties?.siteConfig?.appSettings ?? [];
        const bad = settings.find((s) =>
          ['WEBSITE_RUN_FROM_PACKAGE', 'FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION'].includes(s.name),
        );
        if (bad)
          throw new ArmError(
            400,
            'BadRequest',
            `The app setting '${bad.name}' is not supported on Flex Consumption; use functionAppConfig instead.`,
          );
      }
    },
    prepare(_ctx, doc) {
      doc.properties.defaultHostName = `${doc.name}.azurewebsites.net`;
      doc.properties.hostNames = [doc.properties.defaultHostName];
      doc.properties.state = 'Running';
      doc.properties.enabledHostNames = [doc.properties.defaultHostName, `${doc.name}.scm.azurewebsites.net`];
    },
  });
  core.behaviors.register({
    type: 'Microsoft.Web/sites/config',
    noProvisioningState: true,
    patch: true,
    actions: { list: (_c, doc) => ({ body: doc }) },
  });
  core.behaviors.register({
    type: 'Microsoft.Web/sites/extensions',
    lro: { put: 'async-op', delete: 'sync' },
    validate(ctx, body) {
      if (ctx.path.names[1].toLowerCase() === 'onedeploy' && !body.properties?.packageUri)
        throw new ArmError(400, 'BadRequest', 'onedeploy requires properties.packageUri.');
    },
    prepare(_ctx, doc) {
      doc.properties.deploymentStatus = 'Succeeded';
    },
  });
}

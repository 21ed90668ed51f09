// Routes ARM requests: api-version checks, subscriptions, resource groups, operation polling,
// family routes (deletedVaults, usages, checkNameAvailability...) and generic resource CRUD.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpContext } from './behavior.js';
import { ArmError, resourceNotFound } from './errors.js';
import type { EmulatorCore } from './emulator-core.js';
import { readJson, send } from './http.js';
import { fullType, parseProviderPath, resourceId } from './ids.js';
import { applyFilter, sendPage } from './lists.js';
import { handleResourceGroup, listGenericResources, listResourceGroups, subscriptionDoc } from './resource-groups.js';
import { deleteResource, postAction, present, putResource } from './resource-writes.js';

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview|-beta|-alpha)?$/;

export function isArmPath(pathname: string): boolean {
  return /^\/(subscriptions|providers|tenants)(\/|$)/i.test(pathname);
}

function checkApiVersion(url: URL): string {
  const v = url.searchParams.get('api-version');
  if (!v)
    throw new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  if (!API_VERSION.test(v)) {
    throw new ArmError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${v}' is invalid. The supported versions are ` +
        "'2025-04-01,2024-11-01,2024-07-01,2024-03-01,2023-07-01,2022-12-01,2021-04-01,2020-06-01'.",
    );
  }
  return v;
}

export async function handleArm(core: EmulatorCore, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const pathname = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const apiVersion = checkApiVersion(url);
  core.faults.check(core.typeOfPath(pathname, method), method);

  if (/^\/subscriptions$/i.test(pathname)) return sendPage(core, res, url, [subscriptionDoc(core)]);
  const subM = /^\/subscriptions\/([^/]+)(\/.*)?$/i.exec(pathname);
  // Tenant-scope provider routes (Resource Graph's query API) answer without a subscription.
  const tenantMatch = subM
    ? undefined
    : core.routes.map((r) => ({ r, m: r.method === method ? r.pattern.exec(pathname) : null })).find((x) => x.m);
  if (tenantMatch?.m) return tenantMatch.r.handler(core, req, res, url, tenantMatch.m);
  if (!subM)
    throw new ArmError(
      404,
      'InvalidResourceType',
      `The resource type could not be found in the namespace for api version '${apiVersion}'.`,
    );
  const sub = subM[1];
  if (sub.toLowerCase() !== core.subscriptionId.toLowerCase()) {
    throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  }
  const rest = subM[2] ?? '';
  if (rest === '') return send(res, 200, subscriptionDoc(core));

  const opM = /^\/providers\/[^/]+\/locations\/[^/]+\/(operationStatuses|operationResults|operations|asyncoperations)\/([^/]+)$/i.exec(
    rest,
  );
  if (opM && method === 'GET') {
    const kind = /results/i.test(opM[1]) ? 'result' : 'status';
    return core.operations.answer(kind, opM[2], res, send, `${core.endpoint()}${url.pathname}${url.search}`);
  }
  if (/^\/resourcegroups$/i.test(rest) && method === 'GET') return listResourceGroups(core, res, url);
  if (/^\/resources$/i.test(rest) && method === 'GET') return listGenericResources(core, res, url, sub);
  if (/^\/locations$/i.test(rest) && method === 'GET')
    return sendPage(
      core,
      res,
      url,
      LOCATIONS.map((l) => ({ id: `/subscriptions/${sub}/locations/${l}`, name: l, displayName: l, type: 'Region' })),
    );
  const rgM = /^\/resourcegroups\/([^/]+)(\/resources)?$/i.exec(rest);
  if (rgM) {
    if (rgM[2] && method === 'GET') return listGenericResources(core, res, url, sub, decodeURIComponent(rgM[1]));
    if (!rgM[2]) return handleResourceGroup(core, req, res, url, sub, decodeURIComponent(rgM[1]), apiVersion);
  }
  const provM = /^\/providers\/([^/]+)(\/register)?$/i.exec(rest);
  if (provM)
    return send(res, 200, {
      id: `/subscriptions/${sub}/providers/${provM[1]}`,
      namespace: provM[1],
      registrationState: 'Registered',
      resourceTypes: [],
    });

  for (const r of core.routes) {
    const m = r.method === method ? r.pattern.exec(pathname) : null;
    if (m) return r.handler(core, req, res, url, m);
  }
  return handleProviderResource(core, req, res, url, pathname, apiVersion);
}

async function handleProviderResource(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  pathname: string,
  apiVersion: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const path = parseProviderPath(pathname, method);
  if (!path) throw new ArmError(400, 'InvalidRequestUri', `The request URI '${pathname}' is not valid.`);
  const isCollection = path.types.length === path.names.length + 1;
  const type = fullType(path);
  if (isCollection) {
    if (method !== 'GET') throw new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
    const parentScope = path.names.length > 0 ? resourceId({ ...path, types: path.types.slice(0, -1) }) : path.scope;
    if (path.resourceGroup && !core.getResourceGroup(path.subscriptionId, path.resourceGroup)) {
      throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${path.resourceGroup}' could not be found.`);
    }
    if (path.names.length > 0 && !core.store.get(parentScope)) {
      throw resourceNotFound(`${path.namespace}/${path.types[0]}`, path.names[0], path.resourceGroup ?? '');
    }
    const b = core.behaviors.get(type);
    const items = core.listByType(type, parentScope).map((r) => present(b, r.doc, url.searchParams)); // e.g. VMs: $expand=instanceView
    return sendPage(core, res, url, applyFilter(items, url.searchParams.get('$filter')));
  }
  const id = resourceId(path);
  const ctx: OpContext = { core, id, path, method, apiVersion, query: url.searchParams };
  if (path.action) return postAction(core, ctx, res, await readJson(req));
  switch (method) {
    case 'GET': {
      if (path.resourceGroup && !core.getResourceGroup(path.subscriptionId, path.resourceGroup)) {
        throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${path.resourceGroup}' could not be found.`);
      }
      const stored = core.store.get(id);
      if (!stored) throw resourceNotFound(type, path.names.join('/'), path.resourceGroup ?? '');
      return send(res, 200, present(core.behaviors.get(type), stored.doc, url.searchParams));
    }
    case 'PUT':
      return putResource(core, ctx, res, await readJson(req), false);
    case 'PATCH':
      return putResource(core, ctx, res, await readJson(req), true);
    case 'DELETE':
      return deleteResource(core, ctx, res);
    default:
      throw new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
  }
}

const LOCATIONS = ['eastus', 'eastus2', 'westus2', 'westus3', 'southcentralus', 'northeurope', 'westeurope', 'swedencentral', 'uksouth'];

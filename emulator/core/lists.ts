// List answers with ARM paging: `{ value: [...], nextLink }`, where nextLink is the same URL
// with a `$skiptoken`, as ARM list APIs return it.
import type { ServerResponse } from 'node:http';
import type { EmulatorCore } from './emulator-core.js';
import { send } from './http.js';
import type { Json } from './store.js';

export function sendPage(core: EmulatorCore, res: ServerResponse, url: URL, items: Json[]): void {
  const skip = Number(url.searchParams.get('$skiptoken') ?? '0') || 0;
  const top = Number(url.searchParams.get('$top') ?? '0') || 0;
  const size = top > 0 ? Math.min(top, core.pageSize) : core.pageSize;
  const page = items.slice(skip, skip + size);
  const body: Json = { value: page };
  if (skip + size < items.length && !(top > 0 && skip + size >= top)) {
    const next = new URL(url.pathname + url.search, core.endpoint());
    next.searchParams.set('$skiptoken', String(skip + size));
    body.nextLink = next.toString();
  }
  send(res, 200, body);
}

/** ARM's `$filter` subset for generic lists: tagName/tagValue and resourceType eq. */
export function applyFilter(items: Json[], filter: string | null): Json[] {
  if (!filter) return items;
  const tag = /tagName eq '([^']*)'(?: and tagValue eq '([^']*)')?/i.exec(filter);
  if (tag) return items.filter((d) => d.tags && tag[1] in d.tags && (tag[2] === undefined || d.tags[tag[1]] === tag[2]));
  const rt = /resourceType eq '([^']*)'/i.exec(filter);
  if (rt) return items.filter((d) => String(d.type).toLowerCase() === rt[1].toLowerCase());
  return items;
}

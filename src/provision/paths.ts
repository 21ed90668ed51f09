// Dotted field paths into ARM bodies ("properties.sku.name"). A path under `tags.` names one
// tag whatever characters it holds (tag names may contain dots), looked up case-insensitively
// because ARM treats tag names so.

export function splitPath(path: string): string[] {
  if (path.startsWith('tags.')) return ['tags', path.slice(5)];
  return path.split('.');
}

export function getPath(obj: unknown, path: string): unknown {
  let node: any = obj;
  const segs = splitPath(path);
  for (let i = 0; i < segs.length; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    const seg = segs[i];
    if (i === 1 && segs[0] === 'tags') {
      const key = Object.keys(node).find((k) => k.toLowerCase() === seg.toLowerCase());
      return key === undefined ? undefined : node[key];
    }
    node = node[seg];
  }
  return node;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = splitPath(path);
  let node: any = obj;
  for (const seg of segs.slice(0, -1)) {
    if (node[seg] === null || typeof node[seg] !== 'object') node[seg] = {};
    node = node[seg];
  }
  node[segs[segs.length - 1]] = value;
}

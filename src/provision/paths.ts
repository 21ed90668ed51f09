// Dotted field paths into ARM bodies ("properties.sku.name"). A path under `tags.` names one
// tag whatever characters it holds (tag names may contain dots), looked up case-insensitively
// because ARM treats tag names so.

function splitPath(path: string): string[] {
  if (path.startsWith('tags.')) return ['tags', path.slice(5)];
  return path.split('.');
}

export function getPath(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  const segs = splitPath(path);
  for (let i = 0; i < segs.length; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    const fields = node as Record<string, unknown>;
    const seg = segs[i];
    if (i === 1 && segs[0] === 'tags') {
      const key = Object.keys(fields).find((k) => k.toLowerCase() === seg.toLowerCase());
      return key === undefined ? undefined : fields[key];
    }
    node = fields[seg];
  }
  return node;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = splitPath(path);
  let node = obj;
  for (const seg of segs.slice(0, -1)) {
    if (node[seg] === null || typeof node[seg] !== 'object') node[seg] = {};
    node = node[seg] as Record<string, unknown>;
  }
  node[segs[segs.length - 1]] = value;
}

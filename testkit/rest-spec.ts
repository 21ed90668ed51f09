// Checks a REST wire body against Microsoft's OpenAPI (swagger) specs: every property we send
// must exist in the PUT body schema of that path and must not be read-only. Follows $ref across
// files, allOf, arrays, maps (additionalProperties). Used by the conformance test only.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A schema node of a swagger document: the fields this checker reads; the rest it ignores. */
interface Schema {
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  discriminator?: string;
  readOnly?: boolean;
  'x-ms-discriminator-value'?: string;
  /** Of a parameter: where it goes ('body', 'path', …) and, for a body, its schema. */
  in?: string;
  schema?: Schema;
  /** The file the node came from, so a $ref in it resolves relative to that file. */
  __file?: string;
  [key: string]: unknown;
}

type FileSchema = Schema & { __file: string };

interface SwaggerDoc {
  info?: { version?: string };
  paths?: Record<string, { put?: { parameters?: Schema[] } }>;
  definitions?: Record<string, Schema>;
}

interface FlatSchema {
  properties: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  discriminator?: string;
  __file: string;
}

export class RestSpecs {
  private files = new Map<string, SwaggerDoc>();
  private ops: Array<{ re: RegExp; file: string; apiVersion: string; body: Schema }> = [];

  constructor(root: string) {
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (n.endsWith('.json') && !p.includes('/examples/')) this.load(p);
      }
    };
    walk(root);
  }

  private load(file: string): SwaggerDoc {
    const hit = this.files.get(file);
    if (hit) return hit;
    const doc = JSON.parse(readFileSync(file, 'utf8')) as SwaggerDoc;
    this.files.set(file, doc);
    const apiVersion = doc.info?.version ?? '';
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      const params = (item.put?.parameters ?? []).map((p) => (p.$ref ? this.deref(file, p.$ref).schema : p));
      const body = params.find((p) => p?.in === 'body')?.schema;
      if (!body) continue;
      const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
      this.ops.push({ re: new RegExp(`^${pattern}$`, 'i'), file, apiVersion, body });
    }
    return doc;
  }

  private deref(file: string, ref: string): FileSchema {
    const [f, pointer] = ref.split('#');
    let target = f ? resolve(dirname(file), f) : file;
    // The shared copy holds extracts: `x.json` is stored as `x.extract.json`.
    if (!existsSync(target) && existsSync(target.replace(/\.json$/, '.extract.json'))) target = target.replace(/\.json$/, '.extract.json');
    if (!existsSync(target)) return { __file: file };
    const doc = this.load(target);
    let node: unknown = doc;
    for (const seg of (pointer ?? '').split('/').filter(Boolean)) {
      node = (node as Record<string, unknown> | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return { ...((node ?? {}) as Schema), __file: target };
  }

  /** The PUT body schema for an ARM id at an api-version, if a spec covers it. */
  find(id: string, apiVersion: string): { file: string; body: Schema } | undefined {
    const path = id.replace(
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+\/providers\//i,
      '/{scope}/providers/',
    );
    return (
      this.ops.find((o) => o.apiVersion === apiVersion && o.re.test(id)) ??
      this.ops.find((o) => o.apiVersion === apiVersion && o.re.test(path))
    );
  }

  /** Problems of `value` against `schema`: unknown or read-only properties, with their paths. */
  check(file: string, schema: Schema, value: unknown, at = ''): string[] {
    if (value === null || typeof value !== 'object') return [];
    const s = this.polymorphic(this.flatten(file, schema), value as Record<string, unknown>);
    if ('$ref' in (value as object) || '$template' in (value as object)) return []; // apply-time placeholders
    const items = s.items;
    if (Array.isArray(value)) return items ? value.flatMap((v, i) => this.check(s.__file, items, v, `${at}[${i}]`)) : [];
    const problems: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const prop = s.properties[k];
      if (!prop) {
        if (s.additionalProperties && typeof s.additionalProperties === 'object')
          problems.push(...this.check(s.__file, s.additionalProperties, v, `${at}.${k}`));
        else if (!s.additionalProperties && Object.keys(s.properties).length) problems.push(`${at}.${k}: not in the spec`);
        continue;
      }
      const p: FileSchema = prop.$ref ? { ...this.deref(s.__file, prop.$ref), readOnly: prop.readOnly } : { ...prop, __file: s.__file };
      if (p.readOnly) problems.push(`${at}.${k}: read-only`);
      problems.push(...this.check(p.__file, p, v, `${at}.${k}`));
    }
    return problems;
  }

  /** A polymorphic base (discriminator) becomes the subtype the value names. */
  private polymorphic(s: FlatSchema, value: Record<string, unknown>): FlatSchema {
    const discriminator = s.discriminator;
    if (!discriminator || typeof value[discriminator] !== 'string') return s;
    const defs = this.files.get(s.__file)?.definitions ?? {};
    const sub = Object.entries(defs).find(
      ([name, d]) => (d['x-ms-discriminator-value'] ?? name) === value[discriminator] && (d.allOf ?? []).some((a) => a.$ref),
    );
    return sub ? this.flatten(s.__file, { $ref: `#/definitions/${sub[0]}` }) : s;
  }

  /** Resolves $ref and merges allOf into one { properties, additionalProperties, items }. */
  private flatten(file: string, schema: Schema): FlatSchema {
    let s: Schema = schema;
    let f = file;
    if (s.$ref) {
      const d = this.deref(f, s.$ref);
      f = d.__file;
      s = d;
    }
    const properties: Record<string, Schema> = {};
    const discriminator: string | undefined = s.discriminator;
    for (const part of s.allOf ?? []) Object.assign(properties, this.flatten(f, part).properties);
    for (const [k, v] of Object.entries(s.properties ?? {})) properties[k] = v.$ref ? v : { ...v };
    // Property schemas keep the file they came from for later $ref resolution.
    for (const k of Object.keys(s.properties ?? {})) if (!properties[k].$ref) properties[k].__file ??= f;
    return { properties, additionalProperties: s.additionalProperties, items: s.items, discriminator, __file: f };
  }
}

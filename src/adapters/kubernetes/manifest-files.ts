import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { ClusterError } from '../../core/ports/cluster.js';

/** A Kubernetes object as read from a file: any mapping with a `kind`, the rest checked where it is used. */
const objectSchema = z.looseObject({ kind: z.string() });
/** What `kubectl get -o yaml` prints for several objects: a `kind: List` holding them in `items`. */
const listSchema = z.looseObject({ kind: z.literal('List'), items: z.array(z.unknown()).nullish() });
/** The metadata fields the manifests source picks objects by; their types are checked where they are used. */
const metadataSchema = z.looseObject({ name: z.unknown().optional(), namespace: z.unknown().optional() });

/** One object of a manifest file, with the file it came from (for messages). */
export interface LoadedObject {
  file: string;
  doc: z.infer<typeof objectSchema>;
}

/** `metadata.name` and `metadata.namespace` of an object, as written (not yet checked). */
export function metadataOf(o: LoadedObject): { name?: unknown; namespace?: unknown } {
  const parsed = metadataSchema.safeParse(o.doc['metadata']);
  return parsed.success ? parsed.data : {};
}

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** The objects of one YAML text (several documents, a `kind: List` unpacked); mappings without `kind` are skipped. */
function objectsOf(text: string, file: string): LoadedObject[] {
  const objects: LoadedObject[] = [];
  const push = (v: unknown) => {
    const parsed = objectSchema.safeParse(v);
    if (parsed.success) objects.push({ file, doc: parsed.data });
  };
  for (const doc of parseAllDocuments(text)) {
    const first = doc.errors[0];
    if (first) {
      throw new ClusterError(`manifest ${file} is not valid YAML: ${first.message.split('\n')[0]}`, 'invalid');
    }
    const value: unknown = doc.toJS();
    const list = listSchema.safeParse(value);
    if (list.success) for (const item of list.data.items ?? []) push(item);
    else push(value);
  }
  return objects;
}

/** Reads every Kubernetes object (a mapping with `kind`) from the YAML files under `dir`. */
export async function loadObjects(dir: string): Promise<LoadedObject[]> {
  if (!(await isDirectory(dir))) {
    throw new ClusterError(
      `manifests directory ${dir} does not exist or is not a directory; fix kubernetes.manifests in the config file.`,
      'invalid',
    );
  }
  const objects: LoadedObject[] = [];
  for (const path of await yamlFiles(dir)) {
    const rel = relative(process.cwd(), path);
    objects.push(...objectsOf(await readFile(path, 'utf8'), rel && !rel.startsWith('..') ? rel : path));
  }
  return objects;
}

// Small YAML helpers for the apply page, without a YAML library: where a document and a field sit in the
// text (to show the server's errors on their line), checks made before sending, and objects written as YAML.
// They read block-style YAML as people write manifests; anything fancier still goes to the server, which
// parses it properly (src/kube/manifest.cc) and names what is wrong.

export interface TextDocument {
  index: number; // 0-based, counting documents that hold something (as the server counts them)
  startLine: number; // 1-based line of its first line (after a "---")
  endLine: number; // 1-based, inclusive
}

const separator = /^---(\s|$)/;
const endMarker = /^\.\.\.(\s|$)/;

function meaningful(line: string): boolean {
  const s = line.trim();
  return s !== '' && !s.startsWith('#') && !s.startsWith('%');
}

// The documents of a YAML stream, empty ones left out.
export function splitDocuments(text: string): TextDocument[] {
  const lines = text.split('\n');
  const docs: TextDocument[] = [];
  let start = 1;
  let content = false;
  const close = (end: number) => {
    if (content) docs.push({ index: docs.length, startLine: start, endLine: end });
    content = false;
  };
  lines.forEach((line, i) => {
    const n = i + 1;
    if (separator.test(line) || endMarker.test(line)) {
      close(n - 1);
      start = n + 1;
      // "--- key: value" starts a document on the separator's own line
      if (separator.test(line) && meaningful(line.slice(3))) {
        start = n;
        content = true;
      }
      return;
    }
    if (meaningful(line)) content = true;
  });
  close(lines.length);
  return docs;
}

// A node of the outline: the line it starts on, and its children by key or index.
export interface OutlineNode {
  line: number;
  map?: Map<string, OutlineNode>;
  seq?: OutlineNode[];
}

interface Row {
  line: number;
  indent: number;
  text: string; // without the indentation, comments kept
}

const keyPattern = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[][^:#]*?)\s*:(\s|$)/;

function unquote(k: string): string {
  if (k.startsWith('"')) {
    try {
      return JSON.parse(k) as string;
    } catch {
      return k.slice(1, -1);
    }
  }
  if (k.startsWith("'")) return k.slice(1, -1).replace(/''/g, "'");
  return k.trim();
}

// The block structure of lines [from, to] (1-based) of `text`.
export function outline(text: string, from = 1, to = Number.MAX_SAFE_INTEGER): OutlineNode {
  const all = text.split('\n');
  const rows: Row[] = [];
  for (let n = from; n <= Math.min(to, all.length); n++) {
    const raw = all[n - 1];
    if (!meaningful(raw) || separator.test(raw)) continue;
    const indent = raw.length - raw.trimStart().length;
    rows.push({ line: n, indent, text: raw.trimStart() });
  }
  let i = 0;

  // A block whose entries sit at column `indent`.
  function block(indent: number): OutlineNode {
    const first = rows[i];
    if (first.text.startsWith('- ') || first.text === '-') return sequence(indent);
    return mapping(indent);
  }

  function sequence(indent: number): OutlineNode {
    const node: OutlineNode = { line: rows[i].line, seq: [] };
    while (i < rows.length && rows[i].indent === indent && (rows[i].text.startsWith('- ') || rows[i].text === '-')) {
      const row = rows[i];
      const rest = row.text === '-' ? '' : row.text.slice(2);
      const pad = rest.length - rest.trimStart().length;
      const item = rest.trimStart();
      if (item && keyPattern.test(item)) {
        // "- key: value": a mapping whose first entry is on this line
        rows[i] = { line: row.line, indent: indent + 2 + pad, text: item };
        node.seq!.push(mapping(indent + 2 + pad));
      } else if (!item) {
        i++;
        node.seq!.push(i < rows.length && rows[i].indent > indent ? block(rows[i].indent) : { line: row.line });
      } else {
        i++;
        node.seq!.push({ line: row.line });
        skipDeeper(indent);
      }
    }
    return node;
  }

  function skipDeeper(indent: number) {
    while (i < rows.length && rows[i].indent > indent) i++;
  }

  function mapping(indent: number): OutlineNode {
    const node: OutlineNode = { line: rows[i].line, map: new Map() };
    while (i < rows.length && rows[i].indent === indent) {
      const row = rows[i];
      const m = keyPattern.exec(row.text);
      if (!m) {
        i++;
        skipDeeper(indent);
        continue;
      }
      const key = unquote(m[1]);
      const value = row.text.slice(m[0].length).replace(/\s+#.*$/, '').trim();
      i++;
      if (value && !/^[|>][-+0-9]*$/.test(value)) {
        node.map!.set(key, { line: row.line });
        skipDeeper(indent);
      } else if (value) {
        node.map!.set(key, { line: row.line }); // a block scalar: its lines are text
        skipDeeper(indent);
      } else if (i < rows.length && rows[i].indent > indent) {
        node.map!.set(key, { ...block(rows[i].indent), line: row.line });
      } else if (i < rows.length && rows[i].indent === indent && rows[i].text.startsWith('-')) {
        node.map!.set(key, { ...sequence(indent), line: row.line }); // "key:\n- item" at the key's own column
      } else {
        node.map!.set(key, { line: row.line });
      }
    }
    return node;
  }

  if (rows.length === 0) return { line: from };
  const root = block(rows[0].indent);
  return root;
}

// "spec.template.spec.containers[0].image" or 'metadata.labels["a.b/c"]' as keys and indexes.
export function pathTokens(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2].replace(/\\(.)/g, '$1'));
    else out.push(m[3]);
  }
  return out;
}

export interface Location {
  line: number;
  exact: boolean; // false: the closest enclosing field was found, not the field itself
}

// Where a server cause points: "[1].metadata.namespace" (document 1, 0-based) or a field of document `doc`.
export function locate(text: string, field: string, doc = 0): Location | null {
  const docs = splitDocuments(text);
  let path = field;
  let index = doc;
  const m = /^\[(\d+)\]\.?/.exec(field);
  if (m) {
    index = Number(m[1]);
    path = field.slice(m[0].length);
  }
  const d = docs[index];
  if (!d) return null;
  let node = outline(text, d.startLine, d.endLine);
  if (!path) return { line: d.startLine, exact: true };
  for (const token of pathTokens(path)) {
    const next = typeof token === 'number' ? node.seq?.[token] : node.map?.get(token);
    if (!next) return { line: node.line, exact: false };
    node = next;
  }
  return { line: node.line, exact: true };
}

export interface Problem {
  line: number;
  message: string;
  field?: string;
}

// Checks made before anything is sent: text there, no tab indentation (YAML forbids it), and every document
// names its apiVersion, kind and metadata.name at the top.
export function checkManifest(text: string, messages: {
  empty: string;
  tab: string;
  missing: (field: string) => string;
}): Problem[] {
  const problems: Problem[] = [];
  const docs = splitDocuments(text);
  if (docs.length === 0) return [{ line: 1, message: messages.empty }];
  text.split('\n').forEach((line, i) => {
    if (/^\s*\t/.test(line)) problems.push({ line: i + 1, message: messages.tab });
  });
  for (const d of docs) {
    const root = outline(text, d.startLine, d.endLine);
    if (!root.map) continue; // JSON or flow style: the server decides
    for (const f of ['apiVersion', 'kind']) {
      if (!root.map.has(f)) problems.push({ line: d.startLine, message: messages.missing(f), field: `[${d.index}].${f}` });
    }
    const meta = root.map.get('metadata');
    if (!meta?.map?.has('name') && !meta?.map?.has('generateName')) {
      problems.push({ line: meta?.line ?? d.startLine, message: messages.missing('metadata.name'), field: `[${d.index}].metadata.name` });
    }
  }
  return problems;
}

// --- writing YAML --------------------------------------------------------------------------------------------

const plainSafe = /^[A-Za-z0-9_./][A-Za-z0-9_ ./:=@+-]*$/;
const special = /^(true|false|yes|no|on|off|y|n|null|~|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+)$/i;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  if (s === '' || special.test(s) || !plainSafe.test(s) || s.endsWith(' ') || s.includes(': ') || s.includes(' #')) {
    return JSON.stringify(s);
  }
  return s;
}

function key(k: string): string {
  return plainSafe.test(k) && !special.test(k) && !k.includes(': ') ? k : JSON.stringify(k);
}

function isEmpty(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
}

function write(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (typeof item === 'object' && item !== null && !isEmpty(item)) {
        const lines: string[] = [];
        write(item, indent + '  ', lines);
        lines[0] = `${indent}- ${lines[0].slice(indent.length + 2)}`;
        out.push(...lines);
      } else out.push(`${indent}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
    }
    return;
  }
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val === undefined) continue;
    if (typeof val === 'object' && val !== null && !isEmpty(val)) {
      out.push(`${indent}${key(k)}:`);
      write(val, Array.isArray(val) ? indent : indent + '  ', out);
    } else if (typeof val === 'string' && val.includes('\n')) {
      out.push(`${indent}${key(k)}: |${val.endsWith('\n') ? '' : '-'}`);
      for (const l of val.replace(/\n$/, '').split('\n')) out.push(l ? `${indent}  ${l}` : '');
    } else out.push(`${indent}${key(k)}: ${isEmpty(val) ? (Array.isArray(val) ? '[]' : '{}') : scalar(val)}`);
  }
}

export function toYaml(value: Record<string, unknown>): string {
  const out: string[] = [];
  write(value, '', out);
  return out.join('\n') + '\n';
}

// An object read from the cluster, made fit to edit and apply again: no status, no server-set metadata.
export function forEditing(object: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, ...rest } = object;
  void _status;
  const meta = { ...((rest.metadata as Record<string, unknown>) ?? {}) };
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'ownerReferences']) {
    delete meta[k];
  }
  const annotations = { ...((meta.annotations as Record<string, string>) ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  delete annotations['deployment.kubernetes.io/revision'];
  if (Object.keys(annotations).length) meta.annotations = annotations;
  else delete meta.annotations;
  return { ...rest, metadata: meta };
}

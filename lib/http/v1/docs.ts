import "server-only";
import { errorCodes, httpErrorCodes } from "@/lib/domain/vocabulary";
/**
 * The readable API page (GET /api/docs): server-rendered from the generated OpenAPI document, one
 * self-contained HTML page with inline styles and no scripts, so nothing is fetched at run time.
 */

type Json = Record<string, unknown>;

const esc = (s: unknown) =>
  String(s ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");

/** Every error code with its HTTP status, from the one table in lib/domain/vocabulary.ts. */
function errorCodeList(): string {
  const all = Object.entries({ ...errorCodes, ...httpErrorCodes }).sort((a, b) => a[1].status - b[1].status || a[0].localeCompare(b[0]));
  return all.map(([code, { status }]) => `<code>${esc(code)}</code> (${status})`).join(", ");
}

/** `code` spans for backticked words in descriptions; everything else escaped. */
const prose = (s: unknown) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");

function refName(ref: string): string {
  return ref.split("/").pop() ?? ref;
}

function resolve(doc: Json, schema: Json | undefined): Json | undefined {
  if (!schema) return undefined;
  if (typeof schema.$ref === "string") {
    const comps = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
    return comps[refName(schema.$ref)] ?? schema;
  }
  return schema;
}

function typeOf(schema: Json | undefined, depth = 0): string {
  if (!schema) return "";
  if (typeof schema.$ref === "string") return refName(schema.$ref);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (Array.isArray(schema.anyOf) && depth < 3) return (schema.anyOf as Json[]).map((s) => typeOf(s, depth + 1)).join(" | ");
  if (Array.isArray(schema.oneOf) && depth < 3) return (schema.oneOf as Json[]).map((s) => typeOf(s, depth + 1)).join(" | ");
  const t = Array.isArray(schema.type) ? (schema.type as string[]).join(" | ") : (schema.type as string | undefined);
  if (t === "array") return `${typeOf(schema.items as Json, depth + 1) || "any"}[]`;
  return t ?? "any";
}

function constraints(schema: Json): string {
  const out: string[] = [];
  if (schema.minLength !== undefined) out.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) out.push(`max length ${schema.maxLength}`);
  if (schema.minimum !== undefined) out.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) out.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) out.push(`≤ ${schema.maximum}`);
  if (schema.maxItems !== undefined) out.push(`at most ${schema.maxItems} items`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.format !== undefined) out.push(String(schema.format));
  return out.join(", ");
}

function fieldRows(doc: Json, schema: Json | undefined): string {
  const s = resolve(doc, schema);
  const props = (s?.properties ?? {}) as Record<string, Json>;
  const required = new Set((s?.required as string[] | undefined) ?? []);
  const names = Object.keys(props);
  if (names.length === 0) return `<p class="muted">No fields.</p>`;
  return (
    `<table><thead><tr><th>field</th><th>type</th><th></th><th>notes</th></tr></thead><tbody>` +
    names
      .map((n) => {
        const p = props[n];
        const notes = [p.description ? prose(p.description) : "", esc(constraints(p))].filter(Boolean).join(" — ");
        return `<tr><td><code>${esc(n)}</code></td><td><code>${esc(typeOf(p))}</code></td><td>${required.has(n) ? "required" : ""}</td><td>${notes}</td></tr>`;
      })
      .join("") +
    `</tbody></table>` +
    (s?.additionalProperties === false ? `<p class="muted">Unknown fields are refused (422).</p>` : "")
  );
}

interface Operation {
  method: string;
  path: string;
  op: Json;
}

function operations(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of ["get", "post", "patch", "put", "delete"]) {
      const op = item[method] as Json | undefined;
      if (op) out.push({ method, path, op });
    }
  }
  return out;
}

function renderOperation(doc: Json, base: string, { method, path, op }: Operation): string {
  const id = esc(op.operationId ?? `${method}-${path}`);
  const params = ((op.parameters ?? []) as Json[]).filter((p) => p.in !== "header" || p.name !== "Idempotency-Key");
  const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] as Json | undefined;
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>);
  return `<section class="op" id="${id}">
<h3><span class="m m-${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(base + path)}</code></h3>
<p><strong>${prose(op.summary)}</strong>${op.description ? ` ${prose(op.description)}` : ""}</p>
${
  params.length
    ? `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th><th></th><th>notes</th></tr></thead><tbody>${params
        .map((p) => {
          const s = (p.schema ?? {}) as Json;
          const notes = [(p.description ?? s.description) ? prose(p.description ?? s.description) : "", esc(constraints(s))].filter(Boolean).join(" — ");
          return `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td><code>${esc(typeOf(s))}</code></td><td>${p.required ? "required" : ""}</td><td>${notes}</td></tr>`;
        })
        .join("")}</tbody></table>`
    : ""
}
${body ? `<h4>JSON body${(op.requestBody as Json).required ? "" : " (optional)"}</h4>${fieldRows(doc, body.schema as Json)}` : ""}
<h4>Responses</h4><ul class="responses">${responses
    .map(([code, r]) => {
      const content = (r.content ?? {}) as Record<string, Json>;
      const [type, media] = Object.entries(content)[0] ?? [];
      const schema = media?.schema as Json | undefined;
      return `<li><code>${esc(code)}</code> ${prose(r.description)}${type ? ` <span class="muted">${esc(type)}${schema ? ` · ${esc(typeOf(schema))}` : ""}</span>` : ""}</li>`;
    })
    .join("")}</ul>
</section>`;
}

export function renderDocsPage(document: unknown): string {
  const doc = document as Json;
  const info = (doc.info ?? {}) as Json;
  const base = (((doc.servers as Json[] | undefined)?.[0]?.url as string | undefined) ?? "").replace(/\/$/, "");
  const ops = operations(doc);
  const tags: string[] = [];
  for (const o of ops) {
    const t = ((o.op.tags as string[] | undefined) ?? ["Other"])[0];
    if (!tags.includes(t)) tags.push(t);
  }
  const byTag = (t: string) => ops.filter((o) => (((o.op.tags as string[] | undefined) ?? ["Other"])[0] ?? "Other") === t);
  const toc = tags
    .map(
      (t) =>
        `<li><a href="#tag-${esc(t)}">${esc(t)}</a><ul>${byTag(t)
          .map((o) => `<li><a href="#${esc(o.op.operationId ?? "")}"><span class="m m-${esc(o.method)}">${esc(o.method.toUpperCase())}</span> ${esc(o.path)}</a></li>`)
          .join("")}</ul></li>`,
    )
    .join("");

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} — reference</title>
<style>
:root{color-scheme:light dark;--fg:#1a1a1a;--muted:#6b6b6b;--bg:#fff;--line:#e5e5e5;--code:#f4f4f5}
@media (prefers-color-scheme:dark){:root{--fg:#ececec;--muted:#a0a0a0;--bg:#111;--line:#2a2a2a;--code:#1d1d20}}
*{box-sizing:border-box}body{margin:0;font:15px/1.55 system-ui,-apple-system,Segoe UI,sans-serif;color:var(--fg);background:var(--bg)}
.wrap{display:grid;grid-template-columns:280px 1fr;gap:32px;max-width:1200px;margin:0 auto;padding:24px}
nav{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;font-size:13px;padding-top:8px}
main{min-width:0}nav ul{list-style:none;padding-left:0;margin:0}nav ul ul{padding-left:8px;margin-bottom:10px}nav a{color:inherit;text-decoration:none;display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}nav a:hover{text-decoration:underline}
h1{font-size:26px;margin:8px 0}h2{margin-top:40px;border-bottom:1px solid var(--line);padding-bottom:6px}h3{font-size:16px;margin:0 0 6px}h4{margin:14px 0 6px;font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px}code{background:var(--code);padding:1px 4px;border-radius:4px}pre{background:var(--code);padding:12px;border-radius:6px;overflow:auto}pre code{padding:0;background:none}
table{border-collapse:collapse;width:100%;font-size:13px;margin:4px 0}th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}th{color:var(--muted);font-weight:500}
.op{border:1px solid var(--line);border-radius:8px;padding:16px;margin:16px 0}.muted{color:var(--muted)}
.m{display:inline-block;min-width:52px;text-align:center;font:600 11px/18px ui-monospace,monospace;border-radius:4px;padding:0 4px;color:#fff}
.m-get{background:#2563eb}.m-post{background:#16a34a}.m-patch{background:#d97706}.m-delete{background:#dc2626}.m-put{background:#7c3aed}
ul.responses{padding-left:18px;margin:0}
@media (max-width:800px){.wrap{grid-template-columns:1fr}nav{position:static;max-height:none}}
</style></head>
<body><div class="wrap">
<nav><p><strong>${esc(info.title)}</strong> <span class="muted">v${esc(info.version)}</span></p>
<ul><li><a href="#intro">Using the API</a></li>${toc}</ul></nav>
<main>
<h1>${esc(info.title)}</h1>
<p>${prose(info.description)}</p>
<section id="intro">
<h2>Using the API</h2>
<p>All paths below are under <code>${esc(base)}</code>. The machine-readable document is <a href="${esc(base)}/openapi.json"><code>${esc(base)}/openapi.json</code></a> (OpenAPI ${esc(doc.openapi)}).</p>
<h4>Authentication</h4>
<p>Agents and scripts send <code>Authorization: Bearer &lt;token&gt;</code>. An admin mints an agent token with <code>npx agentdesk token create --agent backend-developer</code> (or <code>POST ${esc(base)}/tokens</code>). The dashboard uses its session cookie; cookie requests that change something must come from AgentDesk's own pages.</p>
<pre><code>curl -s -X POST ${esc(base)}/tasks/claim -H "Authorization: Bearer $AGENTDESK_TOKEN" -H "Idempotency-Key: $(uuidgen)"</code></pre>
<h4>Errors</h4>
<p>Every error is <code>application/problem+json</code>: <code>{type, title, status, code, detail, fields?, requestId}</code>. Branch on <code>code</code>: ${errorCodeList()}. <code>validation_failed</code> carries <code>fields</code>; <code>rate_limited</code> a <code>Retry-After</code> header.</p>
<h4>Idempotency</h4>
<p>Send <code>Idempotency-Key: &lt;unique string&gt;</code> with any POST. The first answer is stored for 24 hours per caller and key; a retry with the same key and the same request gets that answer again and changes nothing twice. The same key with a different request is refused with <code>idempotency_mismatch</code>.</p>
<h4>MCP</h4>
<p>Agents that speak MCP connect to <code>/api/mcp</code> (Streamable HTTP, stateless) with the same bearer token: <code>claude mcp add --transport http agentdesk http://localhost:3000/api/mcp --header "Authorization: Bearer $AGENTDESK_TOKEN"</code>.</p>
</section>
${tags
  .map(
    (t) =>
      `<h2 id="tag-${esc(t)}">${esc(t)}</h2>${byTag(t)
        .map((o) => renderOperation(doc, base, o))
        .join("\n")}`,
  )
  .join("\n")}
</main></div></body></html>`;
}

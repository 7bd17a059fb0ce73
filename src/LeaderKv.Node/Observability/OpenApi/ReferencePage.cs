namespace LeaderKv.Node.Observability.OpenApi;

/// <summary>
/// The API reference at <c>/docs</c>: one self-contained page (no CDN, no external fonts) that
/// fetches <c>/openapi/v1.json</c> and lists every operation with its parameters, request body,
/// responses and their schemas. Deliberately small; the JSON document is the source of truth,
/// and any OpenAPI tool can render it more richly.
/// </summary>
internal static class ReferencePage
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>LeaderKV API reference</title>
        <style>
          body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1d1d1f; }
          h1 { margin-bottom: 0; } .intro { white-space: pre-wrap; color: #444; }
          section { border: 1px solid #ddd; border-radius: 6px; margin: 1rem 0; padding: .5rem 1rem; }
          .method { display: inline-block; min-width: 4rem; font-weight: 700; text-transform: uppercase; }
          .get { color: #0a7d32; } .post { color: #0b5cad; } .put, .patch { color: #8a5a00; } .delete { color: #b3261e; }
          code, pre { font-family: ui-monospace, monospace; font-size: 13px; }
          pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; }
          table { border-collapse: collapse; } td, th { text-align: left; padding: .1rem .8rem .1rem 0; vertical-align: top; }
          .tag { color: #666; font-size: 13px; }
        </style>
        </head>
        <body>
        <h1 id="title">LeaderKV API reference</h1>
        <p>Source: <a href="/openapi/v1.json"><code>/openapi/v1.json</code></a></p>
        <p class="intro" id="intro"></p>
        <div id="operations">Loading…</div>
        <script>
        "use strict";
        const esc = s => String(s ?? "").replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
        function resolve(doc, schema, depth = 0) {
          if (!schema || depth > 6) return schema;
          if (schema.$ref) return resolve(doc, doc.components?.schemas?.[schema.$ref.split("/").pop()], depth + 1);
          const out = { ...schema };
          if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, resolve(doc, v, depth + 1)]));
          if (out.items) out.items = resolve(doc, out.items, depth + 1);
          return out;
        }
        function content(doc, body) {
          return Object.entries(body?.content ?? {}).map(([type, media]) =>
            `<div><code>${esc(type)}</code>${media.schema ? `<pre>${esc(JSON.stringify(resolve(doc, media.schema), null, 2))}</pre>` : ""}</div>`).join("");
        }
        function operation(doc, path, method, op) {
          const params = (op.parameters ?? []).map(p =>
            `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? "required" : ""}</td><td><code>${esc(p.schema?.type ?? "")}</code></td><td>${esc(p.description)}</td></tr>`).join("");
          const responses = Object.entries(op.responses ?? {}).map(([code, r]) =>
            `<tr><th>${esc(code)}</th><td>${esc(r.description)}${content(doc, r)}</td></tr>`).join("");
          return `<section id="${esc(op.operationId ?? method + path)}">
            <h3><span class="method ${esc(method)}">${esc(method)}</span> <code>${esc(path)}</code> <span class="tag">${esc((op.tags ?? []).map(t => t.name ?? t).join(", "))}</span></h3>
            <p><strong>${esc(op.summary)}</strong></p>${op.description ? `<p>${esc(op.description)}</p>` : ""}
            ${params ? `<h4>Parameters</h4><table>${params}</table>` : ""}
            ${op.requestBody ? `<h4>Request body</h4>${content(doc, op.requestBody)}` : ""}
            <h4>Responses</h4><table>${responses}</table></section>`;
        }
        fetch("/openapi/v1.json").then(r => r.json()).then(doc => {
          document.getElementById("title").textContent = doc.info?.title ?? "API reference";
          document.getElementById("intro").textContent = doc.info?.description ?? "";
          const ops = [];
          for (const [path, item] of Object.entries(doc.paths ?? {}))
            for (const method of ["get", "put", "post", "delete", "patch", "head", "options"])
              if (item[method]) ops.push(operation(doc, path, method, item[method]));
          document.getElementById("operations").innerHTML = ops.join("");
        }).catch(e => { document.getElementById("operations").textContent = "Could not load the document: " + e; });
        </script>
        </body>
        </html>
        """;
}

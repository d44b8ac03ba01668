#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// `outbox/index.html`: a page a person can browse. It is static and reads the published listing
/// (`files/index.json`, `files/page-<n>.json`) in the browser, so no change ever rewrites it.
public enum IndexPage {
    /// Writes the page unless it is already there as this version wrote it.
    public static func install(root: String) throws {
        let outbox = try Directory(path: root + "/" + RootLayout.outboxFolder, create: true)
        let bytes = Array(html.utf8)
        if let current = try? outbox.read("index.html", limit: 1 << 20), current == bytes { return }
        try outbox.writeAtomically("index.html", bytes, tempTag: "\(getpid())-index")
    }

    static let html = #"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>Sluice</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>
    body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
    h1{font-size:1.5rem;margin:0 0 .25rem} p.sub{color:#666;margin:0 0 1.5rem}
    table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
    th{font-weight:600;color:#555;border-bottom:2px solid #ddd} td.num{text-align:right;font-variant-numeric:tabular-nums}
    .ready{color:#17803d}.error{color:#b42318}.pending,.downloading{color:#a15c07} .err{color:#b42318;font-size:.85em}
    nav button{margin-right:.5rem} code{font-size:.85em;color:#555}
    </style></head>
    <body>
    <h1>Sluice</h1>
    <p class="sub">Files in the catalogue, newest first. Drop request files or plain files into <code>inbox/</code>; receipts appear in <code>outbox/receipts/</code>.</p>
    <nav><button id="newer" disabled>← newer</button><button id="older" disabled>older →</button> <span id="where"></span></nav>
    <table><thead><tr><th>name</th><th>status</th><th class="num">size</th><th>type</th><th>added</th><th>source</th></tr></thead>
    <tbody id="files"><tr><td colspan="6">Loading…</td></tr></tbody></table>
    <script>
    const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"}[c]));
    const size = n => n < 1024 ? n + " B" : n < 1048576 ? (n/1024).toFixed(1) + " KiB" : (n/1048576).toFixed(1) + " MiB";
    let index = null, page = 0;
    async function show(p) {
      page = p;
      const body = document.getElementById("files");
      const data = await (await fetch("files/page-" + p + ".json", {cache: "no-store"})).json().catch(() => ({files: []}));
      const rows = data.files.slice().reverse().map(f => `<tr><td>${f.status === "ready"
        ? `<a href="file/${esc(f.id)}/download">${esc(f.name)}</a>` : esc(f.name)}<br><code>${esc(f.id)}</code>${f.comment ? "<br>" + esc(f.comment) : ""}</td>
        <td class="${esc(f.status)}">${esc(f.status)}${f.error ? `<div class="err">${esc(f.error)}</div>` : ""}</td>
        <td class="num">${size(f.size)}</td><td>${esc(f.mime)}</td><td>${esc(f.added_at)}</td>
        <td>${f.url ? `<a href="${esc(f.url)}" rel="noreferrer">${esc(f.url)}</a>` : "upload"}</td></tr>`);
      body.innerHTML = rows.join("") || `<tr><td colspan="6">No files on this page.</td></tr>`;
      document.getElementById("newer").disabled = p >= index.pages - 1;
      document.getElementById("older").disabled = p <= 0;
      document.getElementById("where").textContent = `page ${index.pages - p} of ${index.pages} · ${index.count} files`;
    }
    async function start() {
      index = await (await fetch("files/index.json", {cache: "no-store"})).json().catch(() => null);
      if (!index) { document.getElementById("files").innerHTML = `<tr><td colspan="6">Nothing catalogued yet.</td></tr>`; return; }
      document.getElementById("newer").onclick = () => show(page + 1);
      document.getElementById("older").onclick = () => show(page - 1);
      show(index.pages - 1);
    }
    start();
    </script>
    </body></html>
    """#
}

#if canImport(Glibc)
import Glibc
#endif
public import SluiceCore

/// `outbox/index.html`: a page a person can browse. It is static and reads the published listings (`pets/`, `tasks/`
/// and `files/`: `index.json`, `page-<n>.json`) in the browser, so no change ever rewrites it.
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
    h1{font-size:1.5rem;margin:0 0 .25rem} h2{font-size:1.15rem;margin:1.75rem 0 .5rem} p.sub{color:#666;margin:0 0 1rem}
    table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
    th{font-weight:600;color:#555;border-bottom:2px solid #ddd} td.num{text-align:right;font-variant-numeric:tabular-nums}
    .ready{color:#17803d}.error{color:#b42318}.pending,.downloading{color:#a15c07} .err{color:#b42318;font-size:.85em}
    nav{margin:.25rem 0 .5rem} nav button{margin-right:.5rem} code{font-size:.85em;color:#555}
    #pets{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.75rem}
    .pet{border:1px solid #e5e5e5;border-radius:.5rem;padding:.6rem} .pet b{font-size:1.05em} .pet .meta{color:#666;font-size:.9em}
    .pet img{width:5.5rem;height:4.2rem;object-fit:cover;border-radius:.3rem;margin:.35rem .3rem 0 0;background:#f3f3f3}
    #tasks{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.75rem}
    .task{border:1px solid #e5e5e5;border-radius:.5rem;padding:.6rem;font-size:.9em} .task img{display:block;max-width:100%;max-height:8rem;margin:.35rem 0;background:#f3f3f3}
    .finished{color:#17803d}.processing{color:#a15c07}
    </style></head>
    <body>
    <h1>Sluice</h1>
    <p class="sub">Drop request files or plain files into <code>inbox/</code>; receipts appear in <code>outbox/receipts/</code>. Newest first.</p>
    <h2>Pets</h2>
    <nav><button id="pets-newer" disabled>← newer</button><button id="pets-older" disabled>older →</button> <span id="pets-where"></span></nav>
    <div id="pets">Loading…</div>
    <h2>Image tasks</h2>
    <nav><button id="tasks-newer" disabled>← newer</button><button id="tasks-older" disabled>older →</button> <span id="tasks-where"></span></nav>
    <div id="tasks">Loading…</div>
    <h2>Files</h2>
    <nav><button id="files-newer" disabled>← newer</button><button id="files-older" disabled>older →</button> <span id="files-where"></span></nav>
    <table><thead><tr><th>name</th><th>status</th><th class="num">size</th><th>type</th><th>added</th><th>source</th></tr></thead>
    <tbody id="files"><tr><td colspan="6">Loading…</td></tr></tbody></table>
    <script>
    const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"}[c]));
    const size = n => n < 1024 ? n + " B" : n < 1048576 ? (n/1024).toFixed(1) + " KiB" : (n/1048576).toFixed(1) + " MiB";
    const file = f => `<tr><td>${f.status === "ready"
        ? `<a href="file/${esc(f.id)}/download">${esc(f.name)}</a>` : esc(f.name)}<br><code>${esc(f.id)}</code>${f.comment ? "<br>" + esc(f.comment) : ""}</td>
        <td class="${esc(f.status)}">${esc(f.status)}${f.error ? `<div class="err">${esc(f.error)}</div>` : ""}</td>
        <td class="num">${size(f.size)}</td><td>${esc(f.mime)}</td><td>${esc(f.added_at)}</td>
        <td>${f.url ? `<a href="${esc(f.url)}" rel="noreferrer">${esc(f.url)}</a>` : "upload"}</td></tr>`;
    const pet = p => `<div class="pet"><b>${esc(p.name)}</b> <span class="meta">${esc(p.type)}, ${esc(p.age)}</span><br>
        <code>${esc(p.id)}</code><div>${(p.photos || []).map(ph => `<a href="file/${esc(ph.id)}/download"><img src="file/${esc(ph.id)}/download" alt="${esc(p.name)}" loading="lazy"></a>`).join("")
        || `<span class="meta">no photos</span>`}</div></div>`;
    const task = t => `<div class="task"><b>${esc(t.algorithm)}</b> <span class="${esc(t.status)}">${esc(t.status)}</span>
        ${t.result_path ? `<a href="${esc(t.result_path)}"><img src="${esc(t.result_path)}" alt="result of ${esc(t.algorithm)}" loading="lazy"></a>` : ""}
        ${t.error ? `<div class="err">${esc(t.error)}</div>` : ""}<code>${esc(t.id)}</code><br><span class="meta">on
        <a href="file/${esc(t.source_id)}/download">${esc(t.source_id.slice(-12))}</a></span></div>`;
    // One paged listing of the outbox (files/, pets/ or tasks/): its index, then a page at a time, newest first.
    async function listing(key, noun, render, empty) {
      const box = document.getElementById(key), where = document.getElementById(key + "-where");
      const newer = document.getElementById(key + "-newer"), older = document.getElementById(key + "-older");
      const answer = await fetch(key + "/index.json", {cache: "no-store"}).catch(() => null);
      const index = answer && answer.ok ? await answer.json().catch(() => null) : null;
      if (!index) { box.innerHTML = empty; return; }
      let page = index.pages - 1;
      async function show(p) {
        page = p;
        const got = await fetch(key + "/page-" + p + ".json", {cache: "no-store"}).catch(() => null);
        const data = got && got.ok ? await got.json().catch(() => ({})) : {};
        box.innerHTML = (data[key] || []).slice().reverse().map(render).join("") || empty;
        newer.disabled = p >= index.pages - 1;
        older.disabled = p <= 0;
        where.textContent = `page ${index.pages - p} of ${index.pages} · ${index.count} ${noun}`
          + (index.with_photos !== undefined ? `, ${index.with_photos} with photos` : "");
      }
      newer.onclick = () => show(page + 1);
      older.onclick = () => show(page - 1);
      show(page);
    }
    listing("pets", "pets", pet, `<p class="meta">No pets yet: drop a <code>pet.create</code> request, or run <code>sluice demo</code>.</p>`);
    listing("tasks", "tasks", task, `<p class="meta">No image tasks yet: drop an <code>image.job</code> request.</p>`);
    listing("files", "files", file, `<tr><td colspan="6">Nothing catalogued yet.</td></tr>`);
    </script>
    </body></html>
    """#
}

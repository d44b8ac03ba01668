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
    body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:76rem;padding:0 1rem;color:#222}
    h1{font-size:1.5rem;margin:0 0 .25rem} h2{font-size:1.15rem;margin:1.75rem 0 .5rem} p.sub{color:#666;margin:0 0 1rem}
    table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
    th{font-weight:600;color:#555;border-bottom:2px solid #ddd} td.num{text-align:right;font-variant-numeric:tabular-nums}
    .ready,.finished,.ok{color:#17803d}.error,.refused{color:#b42318}.pending,.downloading,.processing{color:#a15c07} .err{color:#b42318;font-size:.85em}
    nav{margin:.25rem 0 .5rem} nav button,nav select{margin-right:.5rem} code{font-size:.85em;color:#555} .meta{color:#666;font-size:.9em}
    .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.75rem}
    .card{border:1px solid #e5e5e5;border-radius:.5rem;padding:.6rem} .card b{font-size:1.05em}
    .card img{width:5.5rem;height:4.2rem;object-fit:cover;border-radius:.3rem;margin:.35rem .3rem 0 0;background:#f3f3f3}
    .pair{display:flex;align-items:center;gap:.3rem} .pair span{color:#999}
    td img{width:3rem;height:2.3rem;object-fit:cover;border-radius:.2rem;background:#f3f3f3}
    #key{display:none;background:#fff7e6;border:1px solid #f0c36d;padding:.6rem;border-radius:.4rem;margin:.5rem 0}
    </style></head>
    <body>
    <h1>Sluice</h1>
    <p class="sub">Drop request files or plain files into <code>inbox/</code>; receipts appear in <code>outbox/receipts/</code>.
    Newest first; this page refreshes itself every 5 s. <span id="updated" class="meta"></span></p>
    <form id="key">This reader wants an API key: <input id="key-value" type="password" autocomplete="off"> <button>use it</button>
    <span class="meta">(kept for this tab only, sent as <code>X-API-KEY</code>)</span></form>
    <h2>Recent receipts</h2>
    <table><thead><tr><th>drop</th><th>status</th><th>received</th></tr></thead><tbody id="receipts"><tr><td colspan="3">Loading…</td></tr></tbody></table>
    <h2>Pets</h2>
    <nav><button id="pets-newer" disabled>← newer</button><button id="pets-older" disabled>older →</button>
    <select id="pets-type"><option value="">any type</option><option>dog</option><option>cat</option></select>
    <select id="pets-photos"><option value="">with or without photos</option><option value="true">with photos</option><option value="false">without photos</option></select>
    <span id="pets-where" class="meta"></span></nav>
    <div id="pets" class="grid">Loading…</div>
    <h2>Image tasks</h2>
    <nav><button id="tasks-newer" disabled>← newer</button><button id="tasks-older" disabled>older →</button>
    <select id="tasks-status"><option value="">any status</option><option>pending</option><option>processing</option><option>finished</option><option>error</option></select>
    <span id="tasks-where" class="meta"></span></nav>
    <div id="tasks" class="grid">Loading…</div>
    <h2>Files</h2>
    <nav><button id="files-newer" disabled>← newer</button><button id="files-older" disabled>older →</button>
    <select id="files-status"><option value="">any status</option><option>pending</option><option>downloading</option><option>ready</option><option>error</option></select>
    <select id="files-kind"><option value="">any type</option><option>image</option><option>text</option><option>application</option><option>audio</option><option>video</option></select>
    <span id="files-where" class="meta"></span></nav>
    <table><thead><tr><th></th><th>name</th><th>status</th><th class="num">size</th><th>type</th><th>added</th><th>source</th></tr></thead>
    <tbody id="files"><tr><td colspan="7">Loading…</td></tr></tbody></table>
    <script>
    // Everything is read from the outbox's JSON (any static server will do); what only the reader serves (a file's
    // bytes) is linked through it. With an API key set, each fetch sends it, and images are fetched with it too.
    const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"}[c]));
    const size = n => n < 1024 ? n + " B" : n < 1048576 ? (n/1024).toFixed(1) + " KiB" : (n/1048576).toFixed(1) + " MiB";
    let key = sessionStorage.getItem("sluice-key");
    async function get(path) {
      const answer = await fetch(path, {cache: "no-cache", headers: key ? {"X-API-KEY": key} : {}, signal: AbortSignal.timeout(10000)}).catch(() => null);
      if (answer && answer.status === 401) { document.getElementById("key").style.display = "block"; return null; }
      return answer && answer.ok ? answer.json().catch(() => null) : null;
    }
    document.getElementById("key").onsubmit = e => {
      e.preventDefault();
      key = document.getElementById("key-value").value;
      sessionStorage.setItem("sluice-key", key);
      document.getElementById("key").style.display = "none";
    };
    // Images: a plain src, or with a key, fetched with it and shown from a blob.
    const img = (src, alt) => `<img data-src="${esc(src)}" alt="${esc(alt)}" loading="lazy">`;
    function showImages(box) {
      for (const el of box.querySelectorAll("img[data-src]")) {
        const src = el.dataset.src; el.removeAttribute("data-src");
        if (!key) { el.src = src; continue; }
        fetch(src, {headers: {"X-API-KEY": key}}).then(a => a.ok ? a.blob() : null).then(b => {
          if (!b) return;
          const url = URL.createObjectURL(b);
          el.onload = el.onerror = () => URL.revokeObjectURL(url); // shown: the blob is no longer needed
          el.src = url;
        }).catch(() => {});
      }
    }
    const receipt = r => `<tr><td><a href="${esc(r.receipt.split("/").map(encodeURIComponent).join("/"))}">${esc(r.name)}</a>${r.results != null ? ` <span class="meta">(${r.results} requests)</span>` : ""}</td>
        <td class="${r.status === 200 ? "ok" : r.status == null ? "" : "refused"}">${esc(r.status ?? "—")}${r.refused ? ` <span class="meta">${r.refused} refused</span>` : ""}
        ${r.error ? `<div class="err">${esc(r.error)}</div>` : ""}</td><td>${esc(r.received_at)}</td></tr>`;
    const pet = p => `<div class="card pet"><b>${esc(p.name)}</b> <span class="meta">${esc(p.type)}, ${esc(p.age)}</span><br>
        <code>${esc(p.id)}</code><div>${(p.photos || []).map(ph => `<a href="file/${esc(ph.id)}/download">${img("file/" + ph.id + "/download", p.name)}</a>`).join("")
        || `<span class="meta">no photos</span>`}</div></div>`;
    const task = t => `<div class="card task"><b>${esc(t.algorithm)}</b> <span class="${esc(t.status)}">${esc(t.status)}</span>
        <div class="pair"><a href="file/${esc(t.source_id)}/download">${img("file/" + t.source_id + "/download", "source")}</a><span>→</span>
        ${t.result_path ? `<a href="${esc(t.result_path)}">${img(t.result_path, "result of " + t.algorithm)}</a>` : ""}</div>
        ${t.error ? `<div class="err">${esc(t.error)}</div>` : ""}<code>${esc(t.id)}</code></div>`;
    const file = f => `<tr class="file"><td>${f.status === "ready" && (f.mime || "").startsWith("image/") ? img("file/" + f.id + "/download", f.name) : ""}</td>
        <td>${f.status === "ready" ? `<a href="file/${esc(f.id)}/download">${esc(f.name)}</a>` : esc(f.name)}<br><code>${esc(f.id)}</code>${f.comment ? "<br>" + esc(f.comment) : ""}</td>
        <td class="${esc(f.status)}">${esc(f.status)}${f.error ? `<div class="err">${esc(f.error)}</div>` : ""}</td>
        <td class="num">${size(f.size)}</td><td>${esc(f.mime)}</td><td>${esc(f.added_at)}</td>
        <td>${f.url ? `<a href="${esc(f.url)}" rel="noreferrer">${esc(f.url)}</a>` : "upload"}</td></tr>`;
    // One paged listing of the outbox (pets/, tasks/ or files/): its index, then a page at a time, newest first, the
    // page's objects filtered by `keep`. Pages are fixed ranges of the catalogue's sequence, so any page is one fetch.
    function listing(name, noun, render, keep, empty) {
      const box = document.getElementById(name), where = document.getElementById(name + "-where");
      const newer = document.getElementById(name + "-newer"), older = document.getElementById(name + "-older");
      let index = null, page = null, shown = null, asked = 0;
      async function show(p) {
        page = p;
        const ask = ++asked;
        const data = await get(name + "/page-" + p + ".json") || {};
        if (ask !== asked) return; // a later click or refresh asked for another page meanwhile
        const objects = (data[name] || []).slice().reverse().filter(keep);
        const html = objects.map(render).join("") || empty;
        if (html !== shown) { box.innerHTML = html; shown = html; showImages(box); } // unchanged: images stay as they are
        newer.disabled = p >= index.pages - 1;
        older.disabled = p <= 0;
        where.textContent = `page ${index.pages - p} of ${index.pages} · ${index.count} ${noun}`
          + (index.with_photos !== undefined ? `, ${index.with_photos} with photos` : "");
      }
      newer.onclick = () => show(page + 1);
      older.onclick = () => show(page - 1);
      return async function refresh(force) {
        const latest = await get(name + "/index.json");
        if (!latest) { if (!index) box.innerHTML = empty; return; }
        const newest = index == null || page === index.pages - 1;
        const changed = !index || latest.count !== index.count || latest.pages !== index.pages;
        index = latest;
        if (force || newest) await show(newest ? index.pages - 1 : page);
        else if (changed) where.textContent = `page ${index.pages - page} of ${index.pages} · ${index.count} ${noun}`;
      };
    }
    const value = id => document.getElementById(id).value;
    const lists = [
      listing("pets", "pets", pet, p => (!value("pets-type") || p.type === value("pets-type"))
        && (!value("pets-photos") || (p.photos.length > 0) === (value("pets-photos") === "true")), `<p class="meta">No pets here: drop a <code>pet.create</code> request, or run <code>sluice demo</code>.</p>`),
      listing("tasks", "tasks", task, t => !value("tasks-status") || t.status === value("tasks-status"), `<p class="meta">No image tasks here: drop an <code>image.job</code> request.</p>`),
      listing("files", "files", file, f => (!value("files-status") || f.status === value("files-status"))
        && (!value("files-kind") || (f.mime || "").startsWith(value("files-kind") + "/")), `<tr><td colspan="7">Nothing catalogued here.</td></tr>`),
    ];
    for (const id of ["pets-type", "pets-photos", "tasks-status", "files-status", "files-kind"]) {
      document.getElementById(id).onchange = () => lists[["pets", "tasks", "files"].indexOf(id.split("-")[0])](true);
    }
    async function refresh() {
      const recent = await get("recent-receipts.json");
      const box = document.getElementById("receipts");
      box.innerHTML = recent ? recent.receipts.map(receipt).join("") || `<tr><td colspan="3">No drops yet.</td></tr>` : `<tr><td colspan="3">No drops yet.</td></tr>`;
      await Promise.all(lists.map(refreshList => refreshList(false)));
      document.getElementById("updated").textContent = "Updated " + new Date().toLocaleTimeString() + ".";
    }
    // Each refresh starts 5 s after the last one ended: a slow reader never gets them piled up.
    (async function loop() { await refresh().catch(() => {}); setTimeout(loop, 5000); })();
    </script>
    </body></html>
    """#
}

// kg site: search a prebuilt index of names, aliases and quotes (search/index.json), in the browser.
// Every word must occur (case and accents ignored); results are written with textContent, never as HTML.
(function () {
  "use strict";
  const script = document.currentScript;
  const root = script.dataset.root;
  const fold = (s) => (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const q = new URLSearchParams(window.location.search).get("q") || "";
  const input = document.querySelector("header input[name=q]");
  if (input) input.value = q;
  const title = document.getElementById("kg-search-title");
  const status = document.getElementById("kg-search-status");
  const list = document.getElementById("kg-hits");
  if (!q.trim()) return;
  title.textContent = "Search: " + q;
  fetch(script.dataset.index).then((r) => r.json()).then((entries) => {
    const words = fold(q).split(/\s+/).filter(Boolean);
    const hits = entries.filter((e) => {
      const text = fold([e.name, (e.aliases || []).join(" "), (e.quotes || []).join(" ")].join(" "));
      return words.every((w) => text.includes(w));
    });
    const exact = (e) => [e.name, ...(e.aliases || [])].some((n) => fold(n) === fold(q).trim());
    hits.sort((a, b) => exact(b) - exact(a) || a.name.localeCompare(b.name));
    status.textContent = hits.length + (hits.length === 1 ? " entry" : " entries") + " found";
    for (const e of hits.slice(0, 200)) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = root + e.href;
      a.textContent = e.name;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = e.kind;
      li.append(a, " ", kind);
      const quote = (e.quotes || []).find((t) => words.some((w) => fold(t).includes(w)));
      if (quote) {
        const block = document.createElement("blockquote");
        block.className = "quote";
        const p = document.createElement("p");
        p.textContent = "\u201c" + quote + "\u201d";
        block.append(p);
        li.append(block);
      }
      list.append(li);
    }
  }).catch(() => { status.textContent = "The search index could not be read (serve this folder over HTTP)."; });
})();

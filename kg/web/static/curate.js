// kg serve --curate: the curation desk (kg/web/curate.py). Selecting words of the article opens the
// form; the server says where the words are, the dates near them and the actors they name; actors
// are suggested as one types; Save, New actor and Load post JSON with the desk's CSRF token. Every
// text from the server or the article is written with textContent or as a value, never as markup.
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  if (!desk) { return; }
  var source = desk.getAttribute("data-source");
  var csrf = desk.getAttribute("data-csrf");
  var base = "/curate/source/" + encodeURIComponent(source);
  var article = document.getElementById("article");
  var form = document.getElementById("fact-form");
  var actorBox = document.getElementById("new-actor");
  var actorForm = document.getElementById("actor-form");
  var loadForm = document.getElementById("load-form");
  var field = function (id) { return document.getElementById(id); };
  var quote = field("quote"), kind = field("kind"), status = field("passage-status");
  var autoDate = true, asked = "";

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function say(node, text, bad) {
    node.textContent = text;
    node.classList.toggle("error", Boolean(bad));
  }

  function post(path, body) {
    body.csrf = csrf;
    return fetch(base + path, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-Kg-Csrf": csrf},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {ok: false, error: "the desk answered " + r.status}; });
    });
  }

  // --- the kind of fact decides the form's fields ---------------------------------------------
  function selectedKind() { return kind.options[kind.selectedIndex]; }
  function isRelationship() { return selectedKind().hasAttribute("data-from"); }
  function fitLinks(select, label) {
    var fits = [];
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) { return; }
      var ok = (" " + option.getAttribute("data-for") + " ").indexOf(" " + label + " ") >= 0;
      option.hidden = !ok;
      option.disabled = !ok;
      if (ok) { fits.push(option); }
    });
    var current = select.options[select.selectedIndex];
    if (current && current.value && current.disabled) { select.value = ""; }
    if (!select.value && fits.length && select.id === "from_link") { select.value = fits[0].value; }
    if (!select.value && fits.length && select.id === "to_link") { select.value = fits[0].value; }
  }
  function endLabels(side) {
    if (isRelationship()) { return selectedKind().getAttribute("data-" + side) || ""; }
    var select = field(side + "_link");
    var option = select.options[select.selectedIndex];
    return option && option.value ? option.getAttribute("data-ends") : "";
  }
  function updateKind() {
    var rel = isRelationship();
    field("name-field").hidden = rel;
    Array.prototype.forEach.call(form.querySelectorAll(".link-type"), function (label) { label.hidden = rel; });
    if (!rel) {
      fitLinks(field("from_link"), kind.value);
      fitLinks(field("to_link"), kind.value);
    }
  }
  kind.addEventListener("change", updateKind);

  // --- a passage: where it is, the dates near it, the actors it names --------------------------
  function fillDate(d) {
    field("date").value = d.value;
    field("as_written").value = d.as_written || "";
    field("note").value = d.note || "";
    if (d.note) { field("confidence").value = "medium"; }
  }
  function fillActor(id) {
    var from = field("from"), to = field("to");
    if (!from.value) { from.value = id; } else if (!to.value && from.value !== id) { to.value = id; }
  }
  function askPassage(text) {
    if (!text || text === asked) { return; }
    asked = text;
    fetch(base + "/passage.json?q=" + encodeURIComponent(text), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (text !== asked) { return; }
        var dates = field("date-suggestions"), actors = field("actor-suggestions");
        clear(dates);
        clear(actors);
        if (!data.found) {
          var near = data.closest;
          say(status, "Not in the text" + (near ? "; closest passage: “" + near.passage + "” (line " + near.line +
              ", similarity " + near.similarity + ")" : ""), true);
          return;
        }
        say(status, "In the text at line " + data.line + ".", false);
        (data.dates || []).forEach(function (d, i) {
          if (i === 0 && autoDate) { fillDate(d); }
          var button = el("button", d.as_written + " → " + d.value);
          button.type = "button";
          button.title = d.note || "as written";
          button.addEventListener("click", function () { autoDate = false; fillDate(d); });
          dates.appendChild(button);
        });
        if ((data.dates || []).length) { dates.insertBefore(el("span", "Dates near it: "), dates.firstChild); }
        (data.actors || []).forEach(function (a) {
          var button = el("button", a.name);
          button.type = "button";
          button.title = a.id + " (" + a.label + ")";
          button.addEventListener("click", function () { fillActor(a.id); });
          actors.appendChild(button);
        });
        if ((data.actors || []).length) { actors.insertBefore(el("span", "It names: "), actors.firstChild); }
      })
      .catch(function () { say(status, "The desk does not answer just now.", true); });
  }
  function open(text) {
    form.hidden = false;
    actorBox.hidden = false;
    quote.value = text;
    autoDate = true;
    askPassage(text);
    updateKind();
  }
  function selected() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !article.contains(selection.anchorNode)) { return; }
    var text = selection.toString().replace(/\s+/g, " ").trim();
    if (text) { open(text); }
  }
  article.addEventListener("mouseup", selected);
  article.addEventListener("keyup", selected);
  var typing = null;
  quote.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { askPassage(quote.value.trim()); }, 300);
  });
  field("date").addEventListener("input", function () { autoDate = false; });

  // --- actors suggested as one types ------------------------------------------------------------
  ["from", "to"].forEach(function (side) {
    var input = field(side), list = field(side + "-list"), timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (!text) { return; }
        fetch("/curate/names.json?q=" + encodeURIComponent(text) + "&labels=" + encodeURIComponent(endLabels(side)),
              {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (data) {
            clear(list);
            data.actors.forEach(function (a) {
              var option = document.createElement("option");
              option.value = a.id;
              option.textContent = a.name + " (" + a.label + ")";
              list.appendChild(option);
            });
          })
          .catch(function () { /* no suggestions: the field still takes any name or id */ });
      }, 120);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.pick"), function (button) {
    button.addEventListener("click", function () {
      if (!form.hidden) { fillActor(button.getAttribute("data-id")); }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.candidate"), function (button) {
    button.addEventListener("click", function () {
      actorBox.hidden = false;
      actorBox.open = true;
      field("actor-name").value = button.getAttribute("data-name");
      var guess = {"person": "Person", "organisation": "Organization"}[(button.getAttribute("data-kind") || "")
        .replace("?", "")];
      if (guess) { field("actor-label").value = guess; }
    });
  });

  // --- writes -----------------------------------------------------------------------------------
  // after a save, the article again from the desk's own page (its quotes highlighted, the new one too);
  // DOMParser runs no script, and the page's text was escaped by its template
  function refreshArticle() {
    fetch(window.location.pathname, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        [".article", ".curate-meta"].forEach(function (selector) {
          var now = document.querySelector(selector), then = fresh.querySelector(selector);
          if (!now || !then) { return; }
          clear(now);
          Array.prototype.forEach.call(then.childNodes, function (node) {
            now.appendChild(document.importNode(node, true));
          });
        });
      })
      .catch(function () { /* the highlights come back with the next page load */ });
  }
  var result = field("result"), message = field("result-message"), diff = field("result-diff");
  var preview = field("result-preview");
  function show(data) {
    result.hidden = false;
    clear(preview);
    say(field("load-message"), "", false);
    if (!data.ok) {
      say(message, data.error || "refused", true);
      diff.hidden = true;
      loadForm.hidden = true;
      if (data.problems && data.problems.length) {
        var list = el("ul", null, "error");
        data.problems.forEach(function (p) { list.appendChild(el("li", p)); });
        preview.appendChild(list);
      }
      return;
    }
    say(message, "Saved " + data.added + " in " + data.file + " (its quote is at line " + data.line + " of the text).",
        false);
    diff.textContent = data.diff;
    diff.hidden = !data.diff;
    var p = data.preview || {};
    preview.appendChild(el("h3", "What kg load --dry-run " + data.file + " would change"));
    if (p.error) { preview.appendChild(el("p", p.error, "error")); return; }
    var table = el("table", null, "preview"), head = el("tr");
    ["change", "label", "id", "name"].forEach(function (c) { head.appendChild(el("th", c)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    (p.rows || []).forEach(function (row) {
      var tr = el("tr");
      ["change", "label", "id", "name"].forEach(function (c) { tr.appendChild(el("td", row[c])); });
      body.appendChild(tr);
    });
    preview.appendChild(table);
    preview.appendChild(el("p", p.summary));
    loadForm.hidden = false;
    refreshArticle();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {};
    ["quote", "kind", "name", "from_link", "from", "to_link", "to", "date", "as_written", "note", "confidence"]
      .forEach(function (name) { body[name] = form.elements[name].value; });
    if (isRelationship()) { body.name = ""; body.from_link = ""; body.to_link = ""; }
    post("/facts.json", body).then(show).catch(function () { say(message, "The desk does not answer.", true); });
  });
  actorForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {quote: quote.value, name: field("actor-name").value, label: field("actor-label").value,
                id: field("actor-id").value, aliases: field("actor-aliases").value};
    post("/actors.json", body).then(function (data) {
      show(data);
      if (data.ok) { fillActor(data.added); actorBox.open = false; }
    }).catch(function () { say(message, "The desk does not answer.", true); });
  });
  loadForm.addEventListener("submit", function (event) {
    event.preventDefault();
    post("/load.json", {}).then(function (data) {
      say(field("load-message"), data.ok ? "Loaded: " + data.summary : (data.error || "refused"), !data.ok);
    }).catch(function () { say(field("load-message"), "The desk does not answer.", true); });
  });
}());

// kg serve: an entity parameter suggests names as one types, from /suggest.json (the graph is too
// large to list every name in the page). Names are written as option values and text, never as markup.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2 || text === asked) { return; }
        asked = text;
        fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {names: []}; })
          .then(function (data) {
            if (text !== asked) { return; }
            while (list.firstChild) { list.removeChild(list.firstChild); }
            data.names.forEach(function (n) {
              var option = document.createElement("option");
              option.value = n.name;
              option.textContent = n.kind;
              list.appendChild(option);
            });
          })
          .catch(function () { /* no suggestions: the field still takes any name or id */ });
      }, 150);
    });
  });
}());

// lode report: open the conclusion a link points to, and expand or collapse all conclusions.
(function () {
  "use strict";
  function open(id) {
    var el = id ? document.getElementById(id) : null;
    if (!el) { return null; }
    for (var n = el; n; n = n.parentElement) {
      if (n.tagName === "DETAILS") { n.open = true; }
    }
    return el;
  }
  function reveal() {
    var el = open(location.hash ? decodeURIComponent(location.hash.slice(1)) : "");
    if (el) { el.scrollIntoView({ block: "start" }); }
  }
  window.addEventListener("hashchange", reveal);
  // A link to a closed conclusion opens it, even when the address already points there.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest('a[href^="#"]') : null;
    if (a) { open(decodeURIComponent(a.getAttribute("href").slice(1))); }
  });
  reveal();
  var buttons = document.querySelectorAll("[data-action]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (ev) {
      var open = ev.currentTarget.getAttribute("data-action") === "expand";
      var all = document.querySelectorAll("#conclusions details");
      for (var j = 0; j < all.length; j++) { all[j].open = open; }
    });
  }
  var view = document.getElementById("al-view");
  if (view) {
    view.addEventListener("change", function () {
      var k = view.value;
      var rects = document.querySelectorAll("rect[data-al]");
      for (var r = 0; r < rects.length; r++) {
        var level = "unrated";
        var pairs = rects[r].getAttribute("data-al").split(" ");
        for (var p = 0; p < pairs.length; p++) {
          var kv = pairs[p].split(":");
          if (kv[0] === k && kv[1]) { level = kv[1]; }
        }
        rects[r].setAttribute("class", "al-" + level);
      }
    });
  }
})();

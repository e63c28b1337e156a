// lode report: unpack the page's data block (LODE_DATA: zlib deflate in base64, see
// src/report/html.rs), put the deferred markup (conclusions, footnotes, full supplier tables) in
// place, draw a conclusion's proof when it is opened (from the proof nodes stored once: see
// src/report/html/proof.rs), open the conclusion a link points to, and expand or collapse all
// conclusions. When everything is drawn, <html> gets data-lode="ready".
(function () {
  "use strict";
  var P = null;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      parent.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return parent;
  }
  function str(i) { return P.strs[i]; }
  function atom(a) {
    var args = [];
    for (var i = 1; i < a.length; i++) { args.push(str(a[i])); }
    return (P.rels[a[0]] || "?") + "(" + args.join(", ") + ")";
  }
  function cite(i) {
    var span = el("span", "src");
    var ps = P.cites[i] || [];
    for (var j = 0; j < ps.length; j++) {
      if (typeof ps[j] === "string") { add(span, ps[j]); continue; }
      var a = el("a", "", ps[j][0]);
      a.href = ps[j][1];
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      span.appendChild(a);
    }
    return span;
  }
  // A leaf: a text (a parameter, a cut), or a fact [assumed, quality, fact, cite, rationale, note, place].
  function leaf(i) {
    var l = P.leaves[i];
    if (typeof l === "number") { return el("span", "leaf", str(l)); }
    var q = str(l[1]), src = l[3], why = l[4], note = l[5];
    var d = el("div", "leaf" + (l[0] ? " assumed" : ""));
    add(d, el("span", "q q-" + q, q), " " + str(l[2]) + " — ");
    if (why >= 0) { add(d, "rationale: " + str(why) + (src >= 0 ? "; " : "")); }
    if (src >= 0) { add(d, cite(src)); }
    if (why < 0 && src < 0) {
      add(d, el("span", "muted", l[0] ? "no rationale given" : "no source given"));
    }
    add(d, " ", el("code", "place", str(l[6])));
    if (note >= 0) { add(d, el("br"), el("small", "fnote", "note: " + str(note))); }
    return d;
  }
  function assumption(i) {
    var l = P.leaves[i];
    return typeof l === "number" ? str(l).indexOf("parameter ") === 0 : l[0] === 1;
  }
  // A node: [atom, 0, rule, alternatives, children] (a rule step), [atom, 1, leaves] (an input),
  // [atom, 2, formula, inputs] (computed) or [atom, 3] (not shown).
  function node(id, seen) {
    var n = P.nodes[id];
    var li = add(el("li"), el("span", "atom", atom(n[0])));
    if (n[1] === 0) {
      var r = P.rules[n[2]] || ["?", "?"];
      add(li, " ", el("span", "because", "— " + r[0]), " ", el("code", "place", r[1]));
      if (n[3]) { add(li, " ", el("span", "tag", "+" + n[3] + " other derivation" + (n[3] > 1 ? "s" : ""))); }
      var ul = el("ul");
      for (var i = 0; i < n[4].length; i++) {
        var c = n[4][i];
        if (typeof c === "number") { ul.appendChild(node(c, seen)); }
        else if (c[0] === 0) { add(ul, add(el("li", "cond"), "check ", el("code", "", str(c[1])))); }
        else { add(ul, add(el("li", "neg"), "and no ", el("code", "", str(c[1])), " holds")); }
      }
      li.appendChild(ul);
    } else if (n[1] === 1) {
      for (var j = 0; j < n[2].length; j++) {
        seen[n[2][j]] = true;
        add(li, " ", leaf(n[2][j]));
      }
    } else if (n[1] === 2) {
      var ins = n[3];
      add(li, " ", el("span", "because", "— computed: " + str(n[2])));
      var det = el("details", "computed");
      add(det, el("summary", "", ins.length ? "from " + ins.length + " input" + (ins.length !== 1 ? "s" : "") : "from no input (an empty sum)"));
      var sub = el("ul");
      for (var k = 0; k < ins.length; k++) { sub.appendChild(node(ins[k], seen)); }
      li.appendChild(add(det, sub));
    } else {
      add(li, " ", el("span", "muted", "(proof not shown)"));
    }
    return li;
  }
  // Draws the proof of a conclusion, once: the tree, then the assumptions it rests on, apart.
  function fill(d) {
    if (!P || d.getAttribute("data-drawn") || !d.hasAttribute("data-p")) { return; }
    d.setAttribute("data-drawn", "1");
    var box = d.querySelector(".expl");
    if (!box) { return; }
    var seen = {};
    box.appendChild(add(el("ul", "tree"), node(Number(d.getAttribute("data-p")), seen)));
    var assumed = [];
    for (var i in seen) {
      if (assumption(Number(i))) { assumed.push(Number(i)); }
    }
    if (assumed.length) {
      assumed.sort(function (a, b) { return a - b; });
      var div = add(el("div", "assumptions"), el("p", "muted", "The assumptions it rests on (alignment ratings, assumed figures, thresholds):"));
      var ul = el("ul");
      for (var j = 0; j < assumed.length; j++) { add(ul, add(el("li"), leaf(assumed[j]))); }
      box.appendChild(add(div, ul));
    }
  }
  function open(id) {
    var el = id ? document.getElementById(id) : null;
    if (!el) { return null; }
    for (var n = el; n; n = n.parentElement) {
      if (n.tagName === "DETAILS") { n.open = true; fill(n); }
    }
    return el;
  }
  function reveal() {
    var el = open(location.hash ? decodeURIComponent(location.hash.slice(1)) : "");
    if (el) { el.scrollIntoView({ block: "start" }); }
  }
  // The data block: base64 → bytes → inflated text → JSON.
  function unpack(b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }
  function start(D) {
    var frags = D.frags || [];
    var holes = document.querySelectorAll("div[data-frag]");
    for (var h = 0; h < holes.length; h++) {
      var f = frags[Number(holes[h].getAttribute("data-frag"))];
      if (typeof f === "string") { holes[h].outerHTML = f; }
    }
    P = D.proofs || null;
    var concl = document.querySelectorAll("details.concl[data-p]");
    for (var c = 0; c < concl.length; c++) {
      concl[c].addEventListener("toggle", function (ev) { if (ev.currentTarget.open) { fill(ev.currentTarget); } });
    }
    document.documentElement.setAttribute("data-lode", "ready");
    reveal();
  }
  function failed(why) {
    var holes = document.querySelectorAll("div[data-frag]");
    for (var h = 0; h < holes.length; h++) {
      holes[h].className = "muted";
      holes[h].textContent = "This browser could not unpack the report's data (" + why + "): the conclusions, their proofs and the footnotes need a browser with DecompressionStream (Chrome 80, Firefox 113, Safari 16.4 or later).";
    }
    document.documentElement.setAttribute("data-lode", "failed");
    if (window.console) { console.error("lode report: " + why); }
  }
  if (typeof LODE_DATA !== "string") { failed("no data block"); }
  else if (typeof DecompressionStream !== "function") { failed("no DecompressionStream"); }
  else { unpack(LODE_DATA).then(start, function (e) { failed(String(e)); }); }
  window.addEventListener("hashchange", reveal);
  // A link to a closed conclusion opens it, even when the address already points there.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest('a[href^="#"]') : null;
    if (a) { open(decodeURIComponent(a.getAttribute("href").slice(1))); }
  });
  // A linked number's tooltip: its footnote and the work it cites (stored once, in #sources).
  document.addEventListener("mouseover", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.num[data-ref]") : null;
    if (!a || a.title) { return; }
    var li = document.getElementById("src-" + a.getAttribute("data-ref"));
    if (!li) { return; }
    var work = document.getElementById("work-" + li.getAttribute("data-work"));
    var cite = work ? work.querySelector(".cite") : null;
    var place = li.getAttribute("data-place");
    a.title = "[" + a.getAttribute("data-ref") + "] " + (cite ? cite.textContent : "") + (place ? " — " + place : "");
  });
  // A supply bar's tooltip, completed on first hover: the alignment toward each consumer (from
  // its rect's data-al) and the footnote it links to, with its place and quality.
  document.addEventListener("mouseover", function (ev) {
    var g = ev.target.closest ? ev.target.closest("g.bar") : null;
    if (!g || g.hasAttribute("data-full")) { return; }
    g.setAttribute("data-full", "1");
    var title = g.querySelector("title");
    if (!title) { return; }
    var more = "";
    var rect = g.querySelector("rect[data-al]");
    var pairs = rect ? rect.getAttribute("data-al").split(" ") : [];
    for (var p = 0; p < pairs.length; p++) {
      var kv = pairs[p].split(":");
      if (kv.length === 2) { more += " · " + (kv[1] || "unrated") + " toward " + kv[0]; }
    }
    var a = g.querySelector('a[href^="#src-"]');
    var n = a ? a.getAttribute("href").slice(5) : "";
    var li = n ? document.getElementById("src-" + n) : null;
    if (li) {
      var q = li.querySelector(".q");
      more += " · [" + n + "] " + (li.getAttribute("data-place") || "") + (q ? " (" + q.textContent + ")" : "");
    }
    title.textContent += more;
  });
  var buttons = document.querySelectorAll("[data-action]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (ev) {
      var open = ev.currentTarget.getAttribute("data-action") === "expand";
      // Draw the proofs first, so that the lists they open (computed inputs) open too.
      if (open) {
        var concl = document.querySelectorAll("#conclusions details.concl");
        for (var c = 0; c < concl.length; c++) { fill(concl[c]); }
      }
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

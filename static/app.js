// Progressive enhancement only: every page works without it.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    // autofocus does not work in a cross-site frame: focus the summary from here.
    if (document.activeElement !== summary) summary.focus();
    // A link in it points at its question's box (#q-…): without this script the browser
    // scrolls to the box; with it, the first answer takes the focus and the question, legend
    // and error message, comes into view, also inside a clinic's frame, where following a
    // fragment does not scroll the host page.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var box = link && document.getElementById(link.getAttribute("href").slice(1));
      var field = box && (box.matches("input, button, select, textarea") ? box
        : box.querySelector("input:not([type=hidden]), select, textarea"));
      if (!field) return;
      event.preventDefault();
      box.scrollIntoView({ block: "start" });
      field.focus({ preventScroll: true });
    });
  }
  var print = document.querySelector("[data-print]");
  if (print && window.print) {
    print.hidden = false;
    var hint = document.querySelector(".print-hint");
    if (hint) hint.hidden = true;
    print.addEventListener("click", function () { window.print(); });
  }
  // The note for the record: the text is on the page without script; this only copies it.
  var copy = document.querySelector("[data-copy]");
  var note = copy && document.getElementById(copy.getAttribute("data-copy"));
  if (note && navigator.clipboard) {
    var status = document.querySelector(".copy-status");
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(note.value).then(function () {
        if (status) status.textContent = status.getAttribute("data-copied");
      }, function () {
        note.focus();
        note.select();  // the clipboard was refused: selected, ready for Ctrl+C
      });
    });
  }
})();

// Inside a clinic's frame, tell the host page (embed.js) how tall this page is, so the frame
// fits its content without a scrollbar of its own. The height is not sensitive: any parent may
// read it, hence the target "*". Nothing happens when the page is not framed.
(function () {
  "use strict";
  if (window.parent === window) return;
  var root = document.documentElement;
  var last = -1;
  function post() {
    // The box of <html>, not its scrollHeight: scrollHeight never drops below the frame's own
    // height, so the frame could grow but never shrink.
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage(
      { type: "bfr-triage:height", height: height, title: document.title },
      "*"
    );
  }
  if (window.ResizeObserver) {
    new ResizeObserver(post).observe(root);
  } else {
    window.addEventListener("resize", post);
  }
  window.addEventListener("load", post);
  post();
})();

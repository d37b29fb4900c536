// Progressive enhancement only: every page works without it.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary && document.activeElement !== summary) summary.focus();
  var print = document.querySelector("[data-print]");
  if (print && window.print) {
    print.hidden = false;
    var hint = document.querySelector(".print-hint");
    if (hint) hint.hidden = true;
    print.addEventListener("click", function () { window.print(); });
  }
})();

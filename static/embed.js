/* bfr-triage embed script for a clinic's own page. No dependencies, nothing sent anywhere.

   <div id="bfr-triage"><a href="https://APP/?lang=da">Open the questionnaire</a></div>
   <script src="https://APP/static/embed.js" data-bfr-target="bfr-triage"
           data-bfr-lang="da" data-bfr-audience="patient" defer></script>

   (The page for clinics, /embed on the app, gives this snippet with the app's real address.)
   It replaces the target element's content (else it adds the frame after the script) with an
   iframe of the questionnaire in embed mode, and sets the frame's height from the messages the
   questionnaire posts. A message counts only if it comes from the app's origin (taken from this
   script's own address) and from this very frame; the height is parsed and clamped. */
(function () {
  "use strict";

  var MIN_HEIGHT = 200;
  var MAX_HEIGHT = 10000;
  var MESSAGE = "bfr-triage:height";
  // Shown until the questionnaire sends its own (translated) page title.
  var TITLES = {
    en: "Questionnaire: is BFR training an option for you?",
    da: "Spørgeskema: er okklusionstræning (BFR) en mulighed for dig?"
  };

  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  var app = new URL(script.src, document.baseURI);
  var origin = app.origin;
  // The app's start page sits one level above /static/, also when it is served under a prefix.
  var start = new URL("../", app);

  var query = new URLSearchParams();
  var lang = script.getAttribute("data-bfr-lang");
  var audience = script.getAttribute("data-bfr-audience");
  if (lang) {
    query.set("lang", lang);
  }
  if (audience) {
    query.set("audience", audience);
  }
  query.set("embed", "1");

  var frame = document.createElement("iframe");
  start.search = query.toString();
  frame.src = start.href;
  frame.title = script.getAttribute("data-bfr-title") || TITLES[lang] || TITLES.en;
  frame.loading = "lazy";
  // The clinic's page address may say something about the visitor: the app needs none of it.
  frame.referrerPolicy = "no-referrer";
  frame.className = "bfr-triage-frame";
  // Set through the DOM, not a style attribute, so a strict style-src on the host page allows it.
  frame.style.display = "block";
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.height = MIN_HEIGHT + "px";

  var target = document.getElementById(script.getAttribute("data-bfr-target") || "");
  if (target) {
    target.replaceChildren(frame);
  } else if (script.parentNode === document.head) {
    document.body.appendChild(frame);
  } else {
    script.parentNode.insertBefore(frame, script.nextSibling);
  }

  // Accept a number (or numeric text) only; clamp it; anything else is ignored.
  function heightFrom(value) {
    if (typeof value !== "number" && typeof value !== "string") {
      return null;
    }
    var height = Number(value);
    if (value === "" || !isFinite(height)) {
      return null;
    }
    return Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(height)));
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) {
      return;
    }
    var data = event.data;
    if (!data || typeof data !== "object" || data.type !== MESSAGE) {
      return;
    }
    var height = heightFrom(data.height);
    if (height !== null) {
      frame.style.height = height + "px";
    }
    if (typeof data.title === "string" && data.title) {
      frame.title = data.title.slice(0, 200);
    }
  });

  // After each step the new page starts at its top: bring the frame's top back into view.
  var loads = 0;
  frame.addEventListener("load", function () {
    loads += 1;
    if (loads > 1 && frame.getBoundingClientRect().top < 0) {
      frame.scrollIntoView();
    }
  });
})();

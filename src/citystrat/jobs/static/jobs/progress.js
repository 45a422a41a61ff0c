/* Progressive enhancement of a job page: without JavaScript the page refreshes itself
   (a meta refresh inside noscript); with it, the bar is updated in place and the page reloads once the
   job is done. */
(function () {
  "use strict";
  var section = document.querySelector(".job[data-progress-url]");
  if (!section || !window.fetch) { return; }
  var bar = section.querySelector("progress");
  function poll() {
    fetch(section.getAttribute("data-progress-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (state.finished) { window.location.reload(); return; }
        if (bar && state.percent !== null) { bar.value = state.percent; bar.textContent = state.percent + " %"; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();

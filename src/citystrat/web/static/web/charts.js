/* Progressive enhancement: the server already drew every chart as SVG; when the
   vendored Vega scripts have loaded, redraw it with tooltips and a width that
   follows the page.  Without JavaScript the static chart and its table remain. */
(function () {
  "use strict";
  function enhance() {
    if (typeof window.vegaEmbed !== "function") { return; }
    document.querySelectorAll(".chart[data-spec]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-spec"));
      if (!source) { return; }
      var canvas = el.querySelector(".chart-canvas") || el;
      var spec = JSON.parse(source.textContent);
      var fallback = canvas.innerHTML;
      canvas.innerHTML = "";
      // ast + expr: Vega interprets its expressions instead of compiling them with
      // new Function, which the site's Content-Security-Policy (no 'unsafe-eval') forbids.
      var options = { renderer: "svg", actions: false };
      if (window.vega && window.vega.expressionInterpreter) {
        options.ast = true;
        options.expr = window.vega.expressionInterpreter;
      }
      window.vegaEmbed(canvas, spec, options)
        .then(function () {
          // The figure is described by its label and its table; the drawing itself is hidden
          // from assistive technology, as the server-drawn one is.
          // Vega labels its drawing "Vega visualization" in English: drop that label, the
          // figure's own (translated) aria-label describes it.
          var svg = el.querySelector("svg");
          if (svg) { svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false"); }
          el.querySelectorAll("[aria-label], [aria-roledescription]").forEach(function (node) {
            if (node !== el) {
              node.removeAttribute("aria-label");
              node.removeAttribute("aria-roledescription");
              if (node.getAttribute("role") === "graphics-document") { node.removeAttribute("role"); }
            }
          });
          el.setAttribute("data-enhanced", "true");
        })
        .catch(function () { canvas.innerHTML = fallback; });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();

// The copy button of a Python session (a block of ">>>" lines) copies code that runs when it is
// pasted: the ">>> " and "... " prompts are taken off and the output lines are left out. Other
// blocks are copied as they stand. tests/docs/pasted.py reads a page's examples the same way,
// and tests/docs/test_site.py checks in a browser that the two agree.
(function () {
  "use strict";

  function pastable(text) {
    var lines = text.replace(/\n$/, "").split("\n");
    if (!lines.some(function (line) { return line.indexOf(">>>") === 0; })) {
      return null;
    }
    var code = [];
    var inStatement = false;
    var sawOutput = false;
    lines.forEach(function (line) {
      if (line.indexOf(">>>") === 0) {
        code.push(line.slice(4));
        inStatement = true;
        sawOutput = false;
      } else if (line.indexOf("...") === 0 && inStatement && !sawOutput) {
        code.push(line.slice(4));
      } else if (inStatement) {
        sawOutput = true;
      }
    });
    return code.join("\n") + "\n";
  }

  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest && event.target.closest(".md-clipboard, [data-md-type='copy']");
      if (!button) {
        return;
      }
      var selector = button.getAttribute("data-clipboard-target");
      var code = selector ? document.querySelector(selector) : null;
      if (!code) {
        return;
      }
      var text = pastable(code.textContent);
      if (text !== null) {
        button.setAttribute("data-clipboard-text", text);
      }
    },
    true
  );
})();

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
    // A statement of several lines is followed by an empty line, which ends it when the text
    // is pasted into the interactive prompt.
    var code = [];
    var statementLines = 0;
    var sawOutput = false;
    lines.forEach(function (line) {
      if (line.indexOf(">>>") === 0) {
        if (statementLines > 1) {
          code.push("");
        }
        code.push(line.slice(4));
        statementLines = 1;
        sawOutput = false;
      } else if (line.indexOf("...") === 0 && statementLines > 0 && !sawOutput) {
        code.push(line.slice(4));
        statementLines += 1;
      } else if (statementLines > 0) {
        sawOutput = true;
      }
    });
    if (statementLines > 1) {
      code.push("");
    }
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

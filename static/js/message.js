/* The message page by keyboard, as in the inbox: j older, k newer (in the list the caseworker came from),
 * n not case-related, c find the case, f ask for a formal submission. After a decision the page moves on to
 * the older message (the server redirects there). Nothing fires while typing in a field. No inline scripts.
 */
(function () {
  "use strict";

  function isTyping(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    var nav = document.querySelector('[data-testid="message-nav"]');
    if (!nav || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    var target = null;
    switch (event.key) {
      case "j": target = nav.querySelector('[data-key="j"]'); if (target) target.click(); break;
      case "k": target = nav.querySelector('[data-key="k"]'); if (target) target.click(); break;
      case "n":
        target = document.querySelector('[data-testid="not-relevant-form"]');
        if (target) target.requestSubmit();
        break;
      case "c": target = document.getElementById("page-case-q"); if (target) target.focus(); break;
      case "f": target = document.getElementById("page-reply"); if (target) target.focus(); break;
      default: return;
    }
    event.preventDefault();
  });
})();

// Keyboard shortcuts of the account page (documented on the page and in the README).
// A static file, not an inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
// Single keys never fire while the cursor is in a field; there, Ctrl+Enter is "Save and next" and Esc leaves it.
(function () {
  "use strict";
  const FOCUS = {n: "body", s: "status", f: "day", "/": "account-search"};
  const FOLLOW = {j: "next-account"};

  function inField(element) {
    const tag = element && element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (element && element.isContentEditable);
  }

  function saveAndNext(element) {
    const form = element.form;
    const button = form && form.querySelector("button[name=then][value=next]");
    if (button) {
      button.click();
    }
  }

  function inFieldKey(event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      saveAndNext(event.target);
    } else if (event.key === "Escape") {
      event.target.blur();
    }
  }

  function pageKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    const target = document.getElementById(FOCUS[event.key] || "");
    const link = document.getElementById(FOLLOW[event.key] || "");
    if (target) {
      event.preventDefault();
      target.focus();
    } else if (link) {
      event.preventDefault();
      link.click();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (inField(event.target)) {
      inFieldKey(event);
    } else {
      pageKey(event);
    }
  });
})();

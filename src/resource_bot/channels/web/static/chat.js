// Progressive enhancement for the web chat; the page works the same without it.
// - Quick exit (the button, or the Esc key) blanks the page, tells the server in a beacon,
//   and replaces this page with the neutral site: no history entry is left to go back to.
// - Forms are sent with fetch and the chat is updated in place, so the conversation adds no
//   history entries either. The live region (#said) stays in place, so screen readers read
//   each new reply. If fetch fails, the form is sent the ordinary way.
(function () {
  "use strict";
  var exitForm = document.getElementById("exit");
  if (!exitForm) { return; }
  var exitUrl = exitForm.getAttribute("data-to");

  function leave() {
    try { navigator.sendBeacon("/exit", new URLSearchParams()); } catch (e) { /* the page still leaves */ }
    try { document.title = ""; document.body.textContent = ""; } catch (e) { /* nothing to blank */ }
    window.location.replace(exitUrl);
  }

  exitForm.addEventListener("submit", function (event) { event.preventDefault(); leave(); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") { event.preventDefault(); leave(); }
  });

  function nodes(list) { return Array.prototype.slice.call(list); }

  function show(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var main = document.getElementById("chat"), freshMain = fresh.getElementById("chat");
    var said = document.getElementById("said"), freshSaid = fresh.getElementById("said");
    if (!main || !freshMain || !said || !freshSaid) { return false; }
    document.documentElement.lang = fresh.documentElement.lang;
    document.title = fresh.title;
    var header = document.querySelector("header"), freshHeader = fresh.querySelector("header");
    if (header && freshHeader) { header.replaceWith(document.adoptNode(freshHeader)); }
    nodes(main.children).forEach(function (el) { if (el !== said) { el.remove(); } });
    var beforeSaid = true;
    nodes(freshMain.children).forEach(function (el) {
      if (el === freshSaid) { beforeSaid = false; return; }
      var node = document.adoptNode(el);
      if (beforeSaid) { main.insertBefore(node, said); } else { main.appendChild(node); }
    });
    said.replaceChildren.apply(said, nodes(freshSaid.childNodes).map(function (n) { return document.adoptNode(n); }));
    var exitButton = document.getElementById("quick-exit"), freshExit = fresh.getElementById("quick-exit");
    if (exitButton && freshExit) { exitButton.textContent = freshExit.textContent; }
    var hint = document.getElementById("exit-hint"), freshHint = fresh.getElementById("exit-hint");
    if (hint && freshHint) { hint.textContent = freshHint.textContent; }
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form === exitForm || form.getAttribute("action") !== "/") { return; }
    event.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    var submitter = event.submitter;
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    fetch("/", { method: "POST", body: data, credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect") { leave(); return; }  // typed "exit" or "salir"
        return response.text().then(function (html) { if (!show(html)) { throw new Error("no chat"); } });
      })
      .catch(function () {
        if (submitter && submitter.name) {
          var hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = submitter.name; hidden.value = submitter.value;
          form.appendChild(hidden);
        }
        form.submit();
      });
  });
})();

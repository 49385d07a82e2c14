/* The search page: Pagefind's interface, started with the words the header's field sent
   (?q=...), so that the field works the same with and without this script. */
(function () {
  "use strict";
  if (!window.PagefindUI) {
    return;
  }
  var ui = new window.PagefindUI({element: "#search", showSubResults: true, autofocus: true});
  var words = new URLSearchParams(window.location.search).get("q");
  if (words) {
    ui.triggerSearch(words);
  }
})();

/* Post the comment form in place: send what the plain form would, ask for JSON, and show
   the notice without leaving the page. Without JavaScript the form posts as usual and the
   comment server sends the reader back to the post at #comment-pending. */
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  if (!form || !window.fetch || !window.URLSearchParams || !window.FormData) {
    return;
  }
  var GENERIC = form.getAttribute("data-not-sent") ||
    "Your comment could not be sent; please try again.";
  var problem = document.createElement("p");
  problem.className = "comment-problem";
  problem.setAttribute("role", "alert");
  problem.hidden = true;
  form.insertBefore(problem, form.querySelector(".form-actions"));

  function show(status) {
    var notices = form.querySelectorAll(".comment-notice");
    for (var i = 0; i < notices.length; i++) {
      notices[i].classList.toggle("is-shown", notices[i].id === "comment-" + status);
    }
    var notice = document.getElementById("comment-" + status);
    if (notice) {
      notice.focus();
    }
  }

  function fail(message) {
    problem.textContent = message;
    problem.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    button.disabled = true;
    problem.hidden = true;
    fetch(form.action, {
      method: "POST",
      headers: {"Accept": "application/json"},
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (data) {
        if (!response.ok || !data.status) {
          throw {fromServer: true, message: data.error || GENERIC};
        }
        form.elements.body.value = "";
        show(data.status);
      });
    }).catch(function (error) {
      // A network failure's own message ("Failed to fetch") means nothing to a reader.
      fail(error && error.fromServer ? error.message : GENERIC);
    }).then(function () {
      button.disabled = false;
    });
  });
})();

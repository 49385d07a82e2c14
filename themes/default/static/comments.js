/* Progressive enhancement for the comment form.

   Without JavaScript a "Reply" link is a plain link to ?replyto=<id>#comment-form.
   With it, the link fills in the form's hidden `replyto` field, says whom the reader is
   answering (with a way to cancel) and puts the cursor in the comment box. */
(function () {
  "use strict";

  var form = document.getElementById("comment-form");
  if (!form || !("closest" in Element.prototype) || !("replaceChildren" in Element.prototype)) {
    return;
  }
  var replyto = form.elements.namedItem("replyto");
  var body = form.elements.namedItem("body");
  var describedBy = body.getAttribute("aria-describedby") || "";
  // The page's own words for these (data-* on the form, in the site's language).
  var REPLYING_TO = form.getAttribute("data-replying-to") || "Replying to";
  var CANCEL = form.getAttribute("data-cancel") || "cancel";

  var notice = document.createElement("p");
  notice.id = "comment-replying";
  notice.className = "replying-to";
  notice.hidden = true;
  form.insertBefore(notice, form.querySelector(".field"));

  function linkFor(id) {
    var links = form.ownerDocument.querySelectorAll("a.reply-link[data-replyto]");
    for (var i = 0; i < links.length; i += 1) {
      if (links[i].getAttribute("data-replyto") === id) {
        return links[i];
      }
    }
    return null;
  }

  function setAddress(id) {
    var url = new URL(window.location.href);
    if (id) {
      url.searchParams.set("replyto", id);
      url.hash = "comment-form";
    } else {
      url.searchParams.delete("replyto");
    }
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  function startReply(link) {
    var id = link.getAttribute("data-replyto");
    var author = document.createElement("a");
    author.href = "#comment-" + id;
    author.textContent = link.getAttribute("data-author");
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = CANCEL;
    cancel.addEventListener("click", stopReply);

    replyto.value = id;
    notice.replaceChildren(REPLYING_TO + " ", author, " · ", cancel);
    notice.hidden = false;
    body.setAttribute("aria-describedby", (notice.id + " " + describedBy).trim());
  }

  function stopReply() {
    replyto.value = "";
    notice.hidden = true;
    notice.replaceChildren();
    body.setAttribute("aria-describedby", describedBy);
    setAddress(null);
    body.focus();
  }

  function focusForm() {
    form.scrollIntoView({ block: "start" });
    body.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.reply-link[data-replyto]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    startReply(link);
    setAddress(link.getAttribute("data-replyto"));
    focusForm();
  });

  // Arriving from a Reply link opened in a new tab, or after a reload.
  var wanted = new URLSearchParams(window.location.search).get("replyto");
  var link = wanted && linkFor(wanted);
  if (link) {
    startReply(link);
    focusForm();
  }
})();

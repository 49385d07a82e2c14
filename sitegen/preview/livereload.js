// sitegen's live preview: added to pages only as `sitegen serve` serves them. Reloads the page
// after a good rebuild that wrote it, swaps stylesheets when only CSS changed, and lays the
// problems of a failed rebuild over the page (which stays the last good build) until the next
// good one.
(() => {
  "use strict";
  const build = document.currentScript.dataset.build;
  // The output file this page shows (its own, or 404.html), as builds name what they wrote.
  const shown = document.currentScript.dataset.path;
  const events = new EventSource(`/__sitegen/events?build=${encodeURIComponent(build)}`);

  // Reload when this page's file was written (`paths` null: perhaps); else only drop the
  // problems of a failed build, since what the page shows is current.
  events.addEventListener("reload", (event) => {
    const paths = JSON.parse(event.data).paths;
    if (paths == null || paths.includes(shown)) {
      location.reload();
    } else {
      hide();
    }
  });
  events.addEventListener("css", (event) => restyle(JSON.parse(event.data).paths));
  events.addEventListener("problems", (event) => show(JSON.parse(event.data).problems));

  // Reload this page's own stylesheets; `paths` null means all of them.
  function restyle(paths) {
    const links = [...document.querySelectorAll('link[rel~="stylesheet"]')].filter((link) => {
      const url = new URL(link.href, location.href);
      return url.origin === location.origin && (paths === null || paths.includes(url.pathname));
    });
    if (links.length === 0) {
      location.reload(); // the change is in a stylesheet this page reaches some other way
      return;
    }
    hide();
    for (const link of links) {
      const url = new URL(link.href, location.href);
      url.searchParams.set("sitegen-reload", Date.now().toString(36));
      const fresh = link.cloneNode();
      fresh.href = url.href;
      // Keep the old sheet until the new one is in, so the page never flashes unstyled.
      fresh.addEventListener("load", () => link.remove(), { once: true });
      link.after(fresh);
    }
  }

  function hide() {
    document.getElementById("sitegen-problems")?.remove();
  }

  // The overlay lives in a shadow root, so neither the theme's CSS nor ours leaks across.
  function show(problems) {
    hide();
    const host = document.createElement("div");
    host.id = "sitegen-problems";
    const root = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = `
      :host { all: initial; }
      section { position: fixed; inset: 0; z-index: 2147483647; overflow: auto;
        padding: 2rem; background: rgb(24 24 27 / 0.94); color: #fafafa;
        font: 15px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
      h2 { margin: 0 0 0.5rem; font-size: 1.2rem; color: #fca5a5; }
      p { margin: 0 0 1.5rem; color: #d4d4d8; }
      ul { margin: 0; padding: 0; list-style: none; }
      li { margin: 0 0 1rem; padding: 0.75rem 1rem; border-left: 4px solid #f87171;
        background: rgb(255 255 255 / 0.06); white-space: pre-wrap; }
      .where { display: block; color: #fde68a; font-weight: bold; }
      button { position: absolute; top: 1rem; right: 1rem; font: inherit; cursor: pointer; }
    `;
    const section = document.createElement("section");
    section.setAttribute("role", "alert");
    const heading = document.createElement("h2");
    heading.textContent = "sitegen: the last change did not build";
    const note = document.createElement("p");
    note.textContent = "Below is the last good build. Fix the file and save: this page " +
      "reloads by itself.";
    const list = document.createElement("ul");
    for (const problem of problems) {
      const item = document.createElement("li");
      const where = document.createElement("span");
      where.className = "where";
      where.textContent = problem.file ? problem.file + (problem.line ? `:${problem.line}` : "") : "";
      item.append(where, problem.message);
      list.append(item);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.addEventListener("click", hide);
    section.append(close, heading, note, list);
    root.append(style, section);
    document.body.append(host);
  }
})();

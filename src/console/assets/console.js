// Flowplane console: the live stream, the live region's refresh, and the Act page's calls to
// the control API. Everything shown from data goes through textContent, never innerHTML with
// data; swapped regions are the server's own escaped HTML.
"use strict";
(() => {
  const statusBadge = document.getElementById("live-status");
  const requestRows = document.getElementById("request-rows");
  const requestTable = document.getElementById("requests");
  const result = document.getElementById("act-result");

  function setStatus(state) {
    if (!statusBadge) return;
    statusBadge.dataset.state = state;
    statusBadge.textContent = state;
  }

  // --- The live region: fetched again when something changed, at most every 500 ms, or
  // every twice the last fetch's time (a page that reads a million rows is not re-read back
  // to back).
  let refreshTimer = null;
  let refreshAgain = false;
  let refreshGap = 500;
  function refresh() {
    if (requestRows) return; // the requests page adds rows instead
    if (refreshTimer) { refreshAgain = true; return; }
    refreshTimer = setTimeout(async () => {
      try {
        const region = document.getElementById("live-region");
        const focused = document.activeElement;
        const inRegion = region && focused && focused !== document.body && region.contains(focused);
        if (inRegion && focused.matches("input, select, textarea")) {
          refreshAgain = true; // someone is typing there: not under their fingers
          return;
        }
        const started = performance.now();
        const answer = await fetch(location.href, { headers: { Accept: "text/html" } });
        if (!answer.ok) return;
        const text = await answer.text();
        refreshGap = Math.max(500, 2 * (performance.now() - started));
        const fresh = new DOMParser().parseFromString(text, "text/html").getElementById("live-region");
        if (!region || !fresh) return;
        region.replaceWith(document.adoptNode(fresh));
        if (inRegion) refocus(fresh, focused);
      } catch (err) {
        // The next change tries again.
      } finally {
        refreshTimer = null;
        if (refreshAgain) { refreshAgain = false; setTimeout(refresh, refreshGap); }
      }
    }, refreshGap);
  }

  // Keyboard users keep their place: the same link or button in the fresh region takes focus.
  function refocus(fresh, was) {
    for (const name of ["id", "href", "data-delete", "data-post"]) {
      const value = was.getAttribute(name);
      if (!value) continue;
      const match = [...fresh.querySelectorAll(`[${name}]`)].find((el) => el.getAttribute(name) === value);
      if (match) { match.focus(); return; }
    }
  }

  // --- The requests page: a row per new request, newest on top. ------------------------------
  const MAX_ROWS = 500;
  function cell(row, className, text) {
    const td = document.createElement("td");
    td.className = className;
    td.textContent = text;
    row.appendChild(td);
    return td;
  }
  function addRequest(entry) {
    if (!requestRows) return;
    const failedOnly = requestTable && requestTable.dataset.failedOnly === "true";
    const tenant = requestTable && requestTable.dataset.tenant;
    if (failedOnly && entry.status < 400) return;
    if (tenant && entry.tenant !== tenant) return;
    const empty = requestRows.querySelector("tr.empty");
    if (empty) empty.remove();
    const row = document.createElement("tr");
    row.dataset.requestId = entry.request_id;
    if (entry.status >= 400) row.classList.add("failed");
    row.classList.add("new");
    cell(row, "time", entry.time);
    cell(row, "face", entry.face);
    cell(row, "product", entry.product || "—");
    cell(row, "operation", entry.operation || `${entry.method} ${entry.path}`);
    cell(row, "tenant", entry.tenant || "—");
    cell(row, "status", String(entry.status));
    cell(row, "error", entry.error_code || "");
    cell(row, "latency", `${entry.latency_ms.toFixed(1)} ms`);
    const id = cell(row, "request-id", "");
    const code = document.createElement("code");
    code.textContent = entry.request_id;
    id.appendChild(code);
    requestRows.prepend(row);
    while (requestRows.rows.length > MAX_ROWS) requestRows.deleteRow(-1);
  }

  // --- The requests page's state changes: one line per transition started or completed. ----
  const changes = document.getElementById("state-changes");
  function addChange(change) {
    if (!changes) return;
    const empty = changes.querySelector("li.empty");
    if (empty) empty.remove();
    const item = document.createElement("li");
    item.classList.add("new");
    if (change.completed !== undefined) {
      item.textContent = `${new Date().toISOString()} ${change.completed} transitions completed`;
    } else {
      item.dataset.id = change.id;
      item.textContent = `${new Date().toISOString()} ${change.provider} ${change.kind} ${change.id} ` +
        `(${change.tenant}): ${change.from || "new"} → ${change.status}`;
    }
    changes.prepend(item);
    while (changes.children.length > MAX_ROWS) changes.lastElementChild.remove();
  }

  // --- The stream. ------------------------------------------------------------------------------
  if (window.EventSource) {
    const events = new EventSource("/_flowplane/ui/events");
    events.onopen = () => setStatus("live");
    events.onerror = () => setStatus(events.readyState === EventSource.CLOSED ? "offline" : "connecting");
    events.addEventListener("hello", () => setStatus("live"));
    events.addEventListener("request", (event) => {
      addRequest(JSON.parse(event.data));
      refresh();
    });
    events.addEventListener("state", (event) => {
      addChange(JSON.parse(event.data));
      refresh();
    });
    events.addEventListener("records", refresh);
  } else {
    setStatus("offline");
  }

  // --- The Act page: each form and button calls the control API. ----------------------------
  function show(text, failed) {
    if (!result) return;
    result.textContent = text;
    result.classList.toggle("error", Boolean(failed));
  }
  async function call(method, url, body) {
    // The header tells the control API the call is the console's own (see control_token.rs).
    const init = { method, headers: { "X-Flowplane-Console": "1" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    try {
      const answer = await fetch(url, init);
      const text = await answer.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (err) { /* not JSON */ }
      show(`${method} ${url} → ${answer.status}\n${shown}`, !answer.ok);
    } catch (err) {
      show(`${method} ${url} failed: ${err}`, true);
    }
    refresh();
  }
  function value(form, name) {
    const field = form.elements.namedItem(name);
    return field && field.value.trim() !== "" ? field.value.trim() : null;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-post], button[data-delete]");
    if (!button) return;
    if (button.dataset.post) call("POST", button.dataset.post);
    else call("DELETE", button.dataset.delete);
  });

  const builders = {
    "add-fault": (form) => {
      const effect = value(form, "effect");
      const rule = { face: value(form, "face") };
      for (const name of ["product", "operation", "tenant", "region"]) {
        const given = value(form, name);
        if (given !== null) rule[name] = given;
      }
      if (effect === "error") {
        rule.effect = { error: {
          status: Number(value(form, "status") || 400),
          code: value(form, "code") || "",
          message: value(form, "message") || "",
        } };
      } else if (effect === "latency") {
        rule.effect = { latency: value(form, "latency") || "500ms" };
      } else {
        rule.effect = { [effect]: true };
      }
      const times = value(form, "times");
      if (times !== null) rule.times = Number(times);
      return ["POST", form.dataset.action, rule];
    },
    generate: (form) => {
      const body = { windows: Number(value(form, "windows") || 1) };
      const only = value(form, "flow_log_id");
      if (only !== null) body.flow_log_id = only;
      return ["POST", form.dataset.action, body];
    },
    reset: (form) => {
      const query = new URLSearchParams();
      const provider = value(form, "provider");
      const tenant = value(form, "tenant");
      if (provider) query.set("provider", provider);
      if (tenant) query.set("tenant", tenant);
      const what = [provider || "every provider", tenant || "every tenant"].join(", ");
      if (!window.confirm(`Remove everything of ${what}?`)) return null;
      const suffix = query.toString() ? `?${query}` : "";
      return ["POST", form.dataset.action + suffix, undefined];
    },
  };

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.dataset.action) return;
    event.preventDefault();
    if (form.id === "snapshot-upload") {
      const file = form.elements.namedItem("snapshot").files[0];
      if (!file) { show("Choose a snapshot file first.", true); return; }
      const mode = value(form, "mode") || "replace";
      await call("POST", `${form.dataset.action}?mode=${encodeURIComponent(mode)}`, await file.text());
      return;
    }
    const build = builders[form.id];
    const request = build && build(form);
    if (request) await call(...request);
  });
})();

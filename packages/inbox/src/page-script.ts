// The page's script, as text (served inline, allowed by its hash). Plain
// browser JavaScript with no dependencies. It keeps the token out of the
// address bar and out of cookies (it is sent as a header), and builds every
// element with textContent, so a payload holding markup shows as markup.
export const PAGE_SCRIPT = `
"use strict";
(() => {
  const config = JSON.parse(document.getElementById("inbox-config").textContent);
  const url = new URL(location.href);
  let token = url.searchParams.get("token") || sessionStorage.getItem("savepoint-inbox-token") || "";
  if (url.searchParams.has("token")) {
    sessionStorage.setItem("savepoint-inbox-token", token);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  const STATUSES = [["interrupted", "Waiting"], ["stalled", "Stalled"], ["failed", "Failed"], ["running", "Running"], ["done", "Done"]];
  const state = { workflow: config.workflows[0], status: "interrupted", selected: null };
  const $ = (id) => document.getElementById(id);
  const el = (tag, props, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "text") node.textContent = v;
      else if (k === "on") for (const [e, f] of Object.entries(v)) node.addEventListener(e, f);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  };
  const showError = (message) => {
    const box = $("error");
    box.textContent = message || "";
    box.hidden = !message;
  };
  async function api(path, init) {
    const headers = { accept: "application/json" };
    if (token) headers.authorization = "Bearer " + token;
    if (init && init.body) {
      headers["content-type"] = "application/json";
      headers["x-savepoint-inbox"] = "answer";
    }
    const response = await fetch(config.basePath + "/api/" + path, { ...init, headers, credentials: "omit" });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((body.error && body.error.message) || "The inbox answered " + response.status + ".");
    return body;
  }
  const when = (iso) => new Date(iso).toLocaleString();
  // A value as text: objects as a list of fields, anything else as JSON.
  function renderValue(value) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const list = el("dl");
      for (const [key, v] of Object.entries(value)) {
        list.append(el("dt", { text: key }), el("dd", { text: typeof v === "string" ? v : JSON.stringify(v, null, 2) }));
      }
      return list;
    }
    return el("pre", { text: typeof value === "string" ? value : JSON.stringify(value, null, 2) });
  }
  function renderStatuses() {
    const nav = $("statuses");
    nav.replaceChildren();
    for (const [status, label] of STATUSES) {
      nav.append(el("button", { type: "button", "aria-pressed": String(state.status === status), "data-status": status, text: label,
        on: { click: () => { state.status = status; state.selected = null; renderStatuses(); loadThreads(); } } }));
    }
  }
  function renderWorkflows() {
    const select = $("workflow");
    for (const name of config.workflows) select.append(el("option", { value: name, text: name }));
    select.addEventListener("change", () => { state.workflow = select.value; state.selected = null; loadThreads(); });
  }
  async function loadThreads() {
    showError("");
    const list = $("threads");
    try {
      const page = await api("threads?workflow=" + encodeURIComponent(state.workflow) + "&status=" + state.status + "&limit=100");
      list.replaceChildren();
      if (page.threads.length === 0) list.append(el("li", { class: "empty", text: "Nothing here." }));
      for (const thread of page.threads) {
        const first = thread.interrupts[0];
        const button = el("button", { type: "button", "data-thread": thread.threadId, "aria-current": String(state.selected === thread.threadId),
          on: { click: () => openThread(thread.threadId) } },
          el("span", { class: "id", text: thread.threadId }),
          el("span", { class: "meta", text: thread.status + " · " + when(thread.updatedAt) }),
          first ? el("span", { class: "meta", text: JSON.stringify(first.value).slice(0, 120) }) : null);
        list.append(el("li", {}, button));
      }
    } catch (error) {
      showError(error.message);
    }
  }
  async function openThread(threadId) {
    showError("");
    state.selected = threadId;
    for (const b of document.querySelectorAll("#threads button")) b.setAttribute("aria-current", String(b.dataset.thread === threadId));
    const detail = $("detail");
    try {
      const body = await api("workflows/" + encodeURIComponent(state.workflow) + "/threads/" + encodeURIComponent(threadId));
      renderThread(body.thread, body.values);
    } catch (error) {
      detail.replaceChildren(el("p", { role: "alert", text: error.message }));
    }
  }
  function renderThread(thread, values) {
    const detail = $("detail");
    detail.replaceChildren(
      el("h2", { text: thread.threadId }),
      el("p", { class: "meta", text: "Status: " + thread.status + " · updated " + when(thread.updatedAt) }),
    );
    if (Object.keys(thread.metadata || {}).length > 0) detail.append(el("h3", { text: "Metadata" }), renderValue(thread.metadata));
    for (const interrupt of thread.interrupts) detail.append(renderInterrupt(thread, interrupt));
    if (thread.interrupts.length === 0 && values !== undefined && values !== null) {
      detail.append(el("h3", { text: "Result" }), renderValue(values));
    }
  }
  function renderInterrupt(thread, interrupt) {
    const box = el("article", { class: "interrupt", "data-interrupt": interrupt.id });
    const field = el("textarea", { "aria-label": "Answer as JSON", spellcheck: "false" });
    field.value = "true";
    const send = async (value) => {
      showError("");
      try {
        const result = await api("workflows/" + encodeURIComponent(state.workflow) + "/threads/" + encodeURIComponent(thread.threadId) + "/answers",
          { method: "POST", body: JSON.stringify({ answers: { [interrupt.id]: value } }) });
        const outcome = el("section", { class: "outcome", role: "status" },
          el("h3", { text: result.outcome === "done" ? "Done" : result.outcome === "interrupted" ? "Waiting again" : "The run failed" }));
        if (result.outcome === "done") outcome.append(renderValue(result.result));
        if (result.outcome === "interrupted") for (const next of result.interrupts) outcome.append(renderValue(next.value));
        if (result.outcome === "failed") outcome.append(el("p", { text: "Error: " + result.error.name }));
        $("detail").replaceChildren(el("h2", { text: thread.threadId }), outcome);
        loadThreads();
      } catch (error) {
        showError(error.message);
      }
    };
    const parseAndSend = () => {
      let value;
      try { value = JSON.parse(field.value); } catch { showError("The answer is not valid JSON."); return; }
      send(value);
    };
    box.append(
      el("h3", { text: "Waiting for an answer" }),
      renderValue(interrupt.value),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "primary", "data-answer": "approve", text: "Approve", on: { click: () => send(true) } }),
        el("button", { type: "button", "data-answer": "reject", text: "Reject", on: { click: () => send(false) } })),
      el("label", {}, el("span", { class: "meta", text: "Or answer with any JSON value" }), field),
      el("div", { class: "actions" }, el("button", { type: "button", "data-answer": "json", text: "Send answer", on: { click: parseAndSend } })),
    );
    return box;
  }
  renderWorkflows();
  renderStatuses();
  loadThreads();
})();
`;

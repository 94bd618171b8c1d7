// Attunement's only script: draft autosave on the Write page and the body map.
// Served from the package; the Content-Security-Policy allows no inline script.
"use strict";

(function autosave() {
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const status = document.getElementById("autosave-status");
  const draftId = document.getElementById("draft_id");
  const formToken = document.getElementById("form_token");
  let lastSent = null;
  let inflight = null;
  let submitted = false;

  // This page's one-time form key lives in its history entry: going Back to the page
  // after saving brings it back with the words the browser puts back, so saving again
  // makes no second entry and autosave keeps no copy of the entry as a draft.
  // The browser puts the words back only after the page has loaded, so the key is taken
  // back when it is first needed (an autosave, a save) or just before the first keystroke:
  // only if the words were put back, not for a form emptied and written afresh.
  const kept = history.state && typeof history.state === "object" ? history.state : {};
  const navigation = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  const wentBack = Boolean(navigation && navigation.type === "back_forward");
  let keyDecided = !(wentBack && kept.attuneFormToken && formToken);
  function remember() {
    if (!formToken) return;
    const state = Object.assign({}, history.state || {}, { attuneFormToken: formToken.value });
    try { history.replaceState(state, ""); } catch (error) { /* no history: no harm */ }
  }
  function decideKey() {
    if (keyDecided) return;
    keyDecided = true;
    if (form.elements.body.value.trim()) formToken.value = kept.attuneFormToken;
    remember();
  }
  if (keyDecided) remember();
  else form.addEventListener("beforeinput", decideKey, { capture: true, once: true });

  function payload() {
    decideKey();
    const tags = form.elements.tags.value.split(/[\s,]+/).filter(Boolean);
    return JSON.stringify({
      body: form.elements.body.value,
      title: form.elements.title.value,
      tags: tags,
      prompt_id: form.elements.prompt_id.value || null,
      form_token: formToken && formToken.value ? formToken.value : null,
    });
  }

  async function send(data, keepalive) {
    const url = draftId.value ? "/api/v1/drafts/" + encodeURIComponent(draftId.value) : "/api/v1/drafts";
    return fetch(url, {
      method: draftId.value ? "PUT" : "POST",
      headers: { "content-type": "application/json" },
      body: data,
      keepalive: keepalive,
      credentials: "same-origin",
    });
  }

  async function store(data, keepalive) {
    try {
      let response = await send(data, keepalive);
      if (response.status === 404 && draftId.value) {
        // The draft became an entry (or was thrown away elsewhere): keep these words
        // in a new one.
        draftId.value = "";
        response = await send(data, keepalive);
      }
      if (response.ok) {
        const draft = await response.json();
        draftId.value = draft.id;
        lastSent = data;
        remember();
        if (status) status.textContent = "Draft saved at " + new Date().toLocaleTimeString() + ".";
      } else {
        const problem = await response.json().catch(() => null);
        if (response.status === 409) lastSent = data; // saved already as an entry
        if (status) {
          status.textContent = response.status === 409 && problem && problem.error
            ? problem.error.message
            : "The draft could not be saved: " + (problem && problem.error ? problem.error.message : response.status);
        }
      }
    } catch (error) {
      if (status) status.textContent = "The draft could not be saved (" + error + "). Your text is still here.";
    }
  }

  function save(keepalive) {
    if (submitted) return Promise.resolve();
    const data = payload();
    if (data === lastSent || inflight) return inflight || Promise.resolve();
    if (!form.elements.body.value.trim() && !draftId.value) return Promise.resolve();
    inflight = store(data, keepalive).finally(() => { inflight = null; });
    return inflight;
  }

  // Saving the form ends autosave on this page: the draft becomes the entry, and no
  // later autosave (leaving the page, or one still on its way) may keep it as a draft.
  form.addEventListener("submit", (event) => {
    decideKey();
    if (submitted) return;
    if (inflight) {
      event.preventDefault();
      const submitter = event.submitter;
      inflight.then(() => {
        submitted = true;
        remember();
        if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
      });
      return;
    }
    submitted = true;
    remember();
  });
  window.addEventListener("pageshow", (event) => { if (event.persisted) submitted = false; });

  setInterval(() => save(false), 3000);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") save(true); });
  window.addEventListener("pagehide", () => save(true));
  form.elements.prompt_id.addEventListener("change", () => {
    const params = new URLSearchParams({ prompt: form.elements.prompt_id.value });
    if (draftId.value) params.set("draft", draftId.value);
    save(false).then(() => { if (draftId.value) params.set("draft", draftId.value); window.location.search = params.toString(); });
  });
})();

(function bodymap() {
  const map = document.querySelector("[data-bodymap]");
  if (!map) return;
  const inputs = map.querySelector(".body-inputs");
  const chosen = document.getElementById("body-chosen");

  function sync() {
    inputs.replaceChildren();
    const names = [];
    map.querySelectorAll(".region").forEach((region) => {
      const on = region.getAttribute("aria-checked") === "true";
      region.classList.toggle("on", on);
      if (on) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = "body";
        input.value = region.dataset.region;
        inputs.appendChild(input);
        names.push(region.getAttribute("aria-label"));
      }
    });
    if (chosen) chosen.textContent = names.length ? "Selected: " + names.join(", ") : "Nothing selected.";
  }

  function toggle(region) {
    region.setAttribute("aria-checked", region.getAttribute("aria-checked") === "true" ? "false" : "true");
    sync();
  }

  map.querySelectorAll(".region").forEach((region) => {
    region.addEventListener("click", () => toggle(region));
    region.addEventListener("keydown", (event) => {
      if (event.key === " " || event.key === "Enter") {
        event.preventDefault();
        toggle(region);
      }
    });
  });
})();

// Attunement's only script: draft autosave on the Write page and the body map.
// Served from the package; the Content-Security-Policy allows no inline script.
"use strict";

(function autosave() {
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const status = document.getElementById("autosave-status");
  const draftId = document.getElementById("draft_id");
  let lastSent = null;
  let saving = false;

  function payload() {
    const tags = form.elements.tags.value.split(/[\s,]+/).filter(Boolean);
    return JSON.stringify({
      body: form.elements.body.value,
      title: form.elements.title.value,
      tags: tags,
      prompt_id: form.elements.prompt_id.value || null,
    });
  }

  async function save(keepalive) {
    const data = payload();
    if (data === lastSent || saving) return;
    if (!form.elements.body.value.trim() && !draftId.value) return;
    saving = true;
    try {
      const url = draftId.value ? "/api/v1/drafts/" + encodeURIComponent(draftId.value) : "/api/v1/drafts";
      const response = await fetch(url, {
        method: draftId.value ? "PUT" : "POST",
        headers: { "content-type": "application/json" },
        body: data,
        keepalive: keepalive,
        credentials: "same-origin",
      });
      if (response.ok) {
        const draft = await response.json();
        draftId.value = draft.id;
        lastSent = data;
        if (status) status.textContent = "Draft saved at " + new Date().toLocaleTimeString() + ".";
      } else if (status) {
        const problem = await response.json().catch(() => null);
        status.textContent = "The draft could not be saved: " + (problem && problem.error ? problem.error.message : response.status);
      }
    } catch (error) {
      if (status) status.textContent = "The draft could not be saved (" + error + "). Your text is still here.";
    } finally {
      saving = false;
    }
  }

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

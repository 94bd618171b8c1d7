// Attunement's only script: draft autosave on the Write page and the body map.
// Served from the package; the Content-Security-Policy allows no inline script.
"use strict";

// Words kept in this tab while the journal is locked. A form marked data-keep (Write,
// Check in, Edit) is copied into sessionStorage (this tab only, never localStorage) when
// it meets a locked journal: an autosave answered 423, or a form sent just as it locked
// (the server then answers with the unlock page, carrying `next` back to the form).
// After unlocking, the form's page puts the words back and says so; they are dropped
// once the form is saved. The journal's key never reaches the browser. Words that met a
// journal replaced underneath the app by another program (an autosave answered 409
// "journal_replaced", or a form whose answer is the page marked data-words-kept) are kept
// the same way, until the page is opened again.
const keeper = (function keeping() {
  const KEPT = "attune:kept:";  // words waiting for an unlock
  const SENT = "attune:sent:";  // words of a form just sent: kept only if it met the lock
  const LOCKED_TEXT = "Your journal locked; your words are kept in this tab. Unlock to save them.";
  const REPLACED_TEXT = "The journal was changed by another program, so your words were not saved; they are kept in this tab. Reload the page to go on.";

  function key(form) { return location.pathname + "#" + (form.id || "form"); }
  function read(name) {
    try { const value = sessionStorage.getItem(name); return value ? JSON.parse(value) : null; } catch (error) { return null; }
  }
  function write(name, value) {
    try { sessionStorage.setItem(name, JSON.stringify(value)); return true; } catch (error) { return false; }
  }
  function drop(name) { try { sessionStorage.removeItem(name); } catch (error) { /* nothing kept */ } }
  function names(prefix) {
    const found = [];
    try {
      for (let i = 0; i < sessionStorage.length; i += 1) {
        const name = sessionStorage.key(i);
        if (name && name.startsWith(prefix)) found.push(name);
      }
    } catch (error) { /* no storage: nothing kept */ }
    return found;
  }
  function fields(form) {
    const values = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || ["submit", "button", "file", "reset"].includes(el.type)) continue;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
      (values[el.name] = values[el.name] || []).push(el.value);
    }
    return values;
  }
  // Why the words wait: "replaced" (the journal was changed underneath), else locked.
  function record(form, why) {
    return { page: location.pathname + location.search, fields: fields(form), why: why || form.dataset.locked || "locked" };
  }
  function unlockHref() {
    return "/unlock?next=" + encodeURIComponent(location.pathname + location.search);
  }
  function notice(form, kind, role) {
    let note = form.parentNode.querySelector("[data-kept-notice]");
    if (!note) {
      note = document.createElement("p");
      note.setAttribute("data-kept-notice", "");
      form.parentNode.insertBefore(note, form);
    }
    note.className = "notice " + kind;
    note.setAttribute("role", role);
    note.replaceChildren();
    return note;
  }

  function keep(form) { return write(KEPT + key(form), record(form)); }
  function forget(form) {
    drop(KEPT + key(form));
    const note = form.parentNode.querySelector("[data-kept-notice]");
    if (note && form.dataset.locked) note.remove();
    delete form.dataset.locked;
  }
  // The words could not be saved: keep them, and say so plainly, with the way back.
  function stopped(form, state, keptText, unkeptText, href, linkText) {
    form.dataset.locked = state;
    const saved = keep(form);
    const note = notice(form, "error", "alert");
    note.append(saved ? keptText + " " : unkeptText);
    const link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    link.addEventListener("click", () => keep(form));
    note.append(link);
  }
  // The journal is locked: unlocking brings the words back.
  function locked(form) {
    stopped(form, "locked", LOCKED_TEXT,
      "Your journal locked. Copy your words somewhere safe, then unlock to save them. ",
      unlockHref(), "Unlock your journal");
  }
  // The journal was changed by another program: keep the words until the page is
  // opened again (it then opens the journal there now, or asks for its passphrase).
  function replaced(form) {
    stopped(form, "replaced", REPLACED_TEXT,
      "The journal was changed by another program. Copy your words somewhere safe, then reload the page. ",
      location.pathname + location.search, "Reload the page");
  }
  function restore(form, kept) {
    const values = kept.fields || {};
    const used = {};
    for (const el of form.elements) {
      if (!el.name || !(el.name in values) || ["submit", "button", "file", "reset"].includes(el.type)) continue;
      const list = values[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = list.includes(el.value);
      } else {
        const i = used[el.name] || 0;
        used[el.name] = i + 1;
        if (i < list.length) {
          el.value = list[i];
          if (el.tagName === "TEXTAREA" || el.type === "text") el.dispatchEvent(new Event("input", { bubbles: true }));
        }
      }
    }
    // The body map's choices are drawn, not inputs: choose the same regions again.
    const regions = values.body || [];
    form.querySelectorAll("[data-bodymap] .region").forEach((region) => {
      const on = region.getAttribute("aria-checked") === "true";
      // (regions are SVG shapes, which have no .click())
      if (on !== regions.includes(region.dataset.region)) region.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    });
    const note = notice(form, "ok", "status");
    note.textContent = (kept.why === "replaced"
      ? "Your words that were not saved when the journal was changed are back in this form."
      : "Your words from before the journal locked are back in this form.")
      + " They are saved when you send the form; until then they are kept in this tab only.";
  }

  function start() {
    const unlockForm = document.querySelector("form[data-unlock]");
    const notSaved = document.querySelector("[data-words-kept]");  // the journal was replaced
    names(SENT).forEach((name) => {
      // A form sent just now: if this is the unlock page, it met the lock and its words
      // wait here; so do they on the page saying the journal was replaced, which saved
      // nothing; on any other page it reached the journal, so nothing is kept.
      const sent = (unlockForm || notSaved) ? read(name) : null;
      if (sent) {
        if (notSaved) sent.why = "replaced";
        write(KEPT + name.slice(SENT.length), sent);
        if (notSaved) notSaved.hidden = false;
      }
      drop(name);
    });
    if (unlockForm) {
      const note = document.getElementById("kept-words");
      if (note && names(KEPT).length) { note.textContent = LOCKED_TEXT; note.hidden = false; }
      return;
    }
    if (notSaved) return;
    document.querySelectorAll("form[data-keep]").forEach((form) => {
      const kept = read(KEPT + key(form));
      if (kept) restore(form, kept);
      const again = () => { if (form.dataset.locked) keep(form); };
      form.addEventListener("input", again);
      form.addEventListener("change", again);
      window.addEventListener("pagehide", again);
      form.addEventListener("submit", () => {
        delete form.dataset.locked;  // what happens to the words now is the server's answer
        drop(KEPT + key(form));
        write(SENT + key(form), record(form));
      });
    });
  }

  return { start: start, locked: locked, replaced: replaced, forget: forget };
})();

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
      if (response.status === 404 && draftId.value && !submitted) {
        // The draft became an entry (or was thrown away elsewhere): keep these words
        // in a new one. Not once this page saved or discarded it: those words are done.
        draftId.value = "";
        response = await send(data, keepalive);
      }
      if (response.ok) {
        const draft = await response.json();
        draftId.value = draft.id;
        lastSent = data;
        remember();
        keeper.forget(form);  // the words are in a draft now
        if (status) status.textContent = "Draft saved at " + new Date().toLocaleTimeString() + ".";
      } else {
        const problem = await response.json().catch(() => null);
        const replaced = response.status === 409 && problem && problem.error && problem.error.code === "journal_replaced";
        if (response.status === 409 && !replaced) lastSent = data; // saved already as an entry
        if (response.status === 423) keeper.locked(form);
        if (replaced) keeper.replaced(form);
        if (status) {
          status.textContent = response.status === 409 && !replaced && problem && problem.error
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
  // Discarding the draft being written ends autosave as saving does: no later save (on
  // leaving the page) may keep it again.
  document.querySelectorAll("form[data-discards-open-draft]").forEach((discard) => {
    discard.addEventListener("submit", () => { submitted = true; });
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

keeper.start();  // last: the body map above is ready for kept choices

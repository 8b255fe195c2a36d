// mastomigrate ui: the little the page needs beyond HTML forms, no
// build step. Files dropped on the upload form are uploaded; the run
// screen follows the run through server-sent events.
"use strict";

(function () {
  // Keyboard and screen-reader users land where the page needs them: on
  // the field an error is about, or on the engine's question.
  const target = document.querySelector('[aria-invalid="true"]') || questionControl(document);
  if (target) target.focus();
  // The run's one live region (polite): it says the state, what runs,
  // the waits, never the counts.
  const announce = document.getElementById("announce");
  const say = (text) => { if (announce && text && announce.textContent !== text) announce.textContent = text; };

  const drop = document.getElementById("drop");
  if (drop) {
    const input = drop.querySelector("input[type=file]");
    for (const ev of ["dragenter", "dragover"]) {
      drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); });
    }
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      // A dropped folder arrives as an empty file: its path is the way.
      const entries = Array.from(e.dataTransfer.items || [], (it) => it.webkitGetAsEntry && it.webkitGetAsEntry());
      if (entries.some((en) => en && en.isDirectory)) {
        document.getElementById("drop-note").hidden = false;
        return;
      }
      if (e.dataTransfer.files.length > 0) {
        input.files = e.dataTransfer.files;
        drop.submit();
      }
    });
    input.addEventListener("change", () => { if (input.files.length > 0) drop.submit(); });
  }

  // The run screen follows the run in place, so the focus, the scroll
  // position and the live region stay: the counts from each event as the
  // engine gives them, and the rest (the state, the question, the waits,
  // the checks, the summary) drawn by the server: its newer #live-body
  // is fetched and put in place of the old. Without script, reloading
  // the page shows the same.
  const live = document.getElementById("live");
  if (!live || !window.EventSource || !window.fetch) return;
  const body = () => document.getElementById("live-body");
  const seq = () => Number(body().dataset.seq);
  // shape is what the counts do not draw: when it changes, the server
  // draws the screen again.
  const shape = (s) => JSON.stringify(Object.assign({}, s, {
    seq: 0, check: !!s.check.total, categories: (s.categories || []).map((c) => c.category),
  }));
  const counts = (s) => {
    const set = (el, c) => {
      el.querySelector(".done").textContent = c.done;
      el.querySelector(".total").textContent = c.total;
    };
    for (const c of s.categories || []) {
      const li = body().querySelector('li[data-cat="' + CSS.escape(c.category) + '"]');
      if (!li) continue;
      const bar = li.querySelector("progress");
      bar.max = c.total;
      bar.value = c.done;
      set(li, c);
    }
    const check = document.getElementById("check");
    if (check) set(check, s.check);
    body().dataset.seq = s.seq;
  };
  // The live region says what changed, not the counts: the state, or a
  // wait that began.
  const text = (id) => { const e = document.getElementById(id); return e ? e.textContent.trim() : ""; };
  // swap puts fresh in place of the screen's part. The question, when it
  // is the same, stays as it is (with what was typed in it); the focus
  // stays on its control, or goes to the new question.
  const swap = (fresh) => {
    const old = body(), active = document.activeElement;
    const q = old.querySelector(".question"), fq = fresh.querySelector(".question");
    const same = q && fq && q.dataset.id === fq.dataset.id;
    if (same) fq.replaceWith(q);
    const focused = old.contains(active) ? active.id || "-" : "";
    const state = text("state"), wait = text("wait");
    old.replaceWith(document.adoptNode(fresh));
    if (fq && !same) questionControl(fresh).focus();
    else if (fresh.contains(active)) active.focus();
    else if (focused) (document.getElementById(focused) || fresh.querySelector(".actions button, .actions a") || document.getElementById("main")).focus();
    say([text("state") !== state ? text("state") : "", text("wait") !== wait ? text("wait") : ""].filter(Boolean).join(" "));
  };
  // Reading a large archive changes what is drawn many times a second:
  // the screen is fetched at most once every half second, whatever comes.
  const pace = 500;
  let last = null, shown = null, busy = false, drawnAt = 0;
  const later = () => {
    busy = true;
    setTimeout(redraw, Math.max(0, drawnAt + pace - Date.now()));
  };
  const redraw = async () => {
    drawnAt = Date.now();
    const want = shape(last);
    let fresh = null;
    try {
      const res = await fetch("/run");
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      if (res.ok) fresh = doc.getElementById("live-body");
    } catch (e) { /* below */ }
    if (!fresh) { location.reload(); return; }
    swap(fresh);
    shown = want;
    if (last.seq > seq()) counts(last);
    if (shape(last) !== shown) later();
    else busy = false;
  };
  const events = new EventSource("/run/events");
  events.onmessage = (msg) => {
    last = JSON.parse(msg.data);
    if (shown === null && last.seq === seq()) shown = shape(last);
    if (busy) return;
    if (shape(last) !== shown) later();
    else if (last.seq > seq()) counts(last);
  };
})();

// questionControl is the first control of the engine's question in root.
function questionControl(root) {
  return root.querySelector(".question input:not([type=hidden]), .question button");
}

// mastomigrate ui: the little the page needs beyond HTML forms, no
// build step. Files dropped on the upload form are uploaded; the run
// screen follows the run through server-sent events.
"use strict";

(function () {
  // Keyboard and screen-reader users land where the page needs them: on
  // the field an error is about, on the engine's question, or back on
  // the control they were on before the run screen redrew itself.
  const kept = sessionStorage.getItem("focus"), redrawn = sessionStorage.getItem("redrawn");
  sessionStorage.removeItem("focus");
  sessionStorage.removeItem("redrawn");
  const target = document.querySelector('[aria-invalid="true"]') ||
    document.querySelector(".question input:not([type=hidden]), .question button") ||
    (kept && document.getElementById(kept));
  if (target) target.focus();
  const redraw = () => {
    if (document.activeElement && document.activeElement.id) sessionStorage.setItem("focus", document.activeElement.id);
    sessionStorage.setItem("redrawn", "1");
    location.reload();
  };
  // The run's one live region: a screen reader says what changed (the
  // state after a redraw, what runs, the waits), not every count.
  const announce = document.getElementById("announce");
  const say = (text) => { if (announce && text && announce.textContent !== text) announce.textContent = text; };
  if (redrawn) {
    const state = document.getElementById("state");
    if (state) say(state.textContent.trim());
  }

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

  const live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  const events = new EventSource("/run/events");
  events.onmessage = (msg) => {
    const s = JSON.parse(msg.data);
    const question = s.question ? String(s.question.id) : "";
    // A new state or question redraws the screen (its forms are the
    // server's); progress is updated in place.
    const moves = String((s.moves || []).length), notes = String((s.notes || []).length);
    if (s.state !== live.dataset.state || question !== live.dataset.question || String(!!s.pausing) !== live.dataset.pausing ||
        moves !== live.dataset.moves || notes !== live.dataset.notes) {
      events.close();
      redraw();
      return;
    }
    for (const c of s.categories || []) {
      const li = live.querySelector('li[data-cat="' + CSS.escape(c.category) + '"]');
      if (!li) { events.close(); redraw(); return; }
      const bar = li.querySelector("progress");
      bar.max = c.total;
      bar.value = c.done;
      li.querySelector(".count").textContent = c.done + " of " + c.total;
    }
    const wait = document.getElementById("wait");
    const waiting = s.wait ? "Waiting for " + s.wait.reason + " until " + new Date(s.wait.until).toLocaleString() + "." : "";
    if (waiting !== wait.textContent) {
      wait.textContent = waiting;
      say(waiting);
    }
    const state = document.getElementById("state");
    if (s.state === "running" && s.doing && !s.pausing && !s.question) {
      state.textContent = "Running: " + s.doing + "…";
      say(state.textContent);
    }
  };
})();

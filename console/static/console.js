// Peerline console: a confirm step for destructive forms, and the live board.
// No inline scripts (the CSP forbids them); nothing is fetched from outside the console.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

function duration(seconds) {
  if (seconds < 0) return "overdue " + duration(-seconds);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes + " min";
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return hours + " h " + (minutes % 60) + " min";
  return Math.floor(hours / 24) + " d " + (hours % 24) + " h";
}

const LABELS = ["Ticket", "Urgency", "Role", "Lang.", "Channel", "Waiting", "Time left", "State", "Flags", "Escalation"];

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

// Time left on the promise, and when the caller will be called ("calls back in the
// afternoon window from 12:00"), as the server renders it.
function timeLeft(r) {
  const td = cell(duration(r.seconds_left), r.seconds_left < 0 ? "late" : "");
  const promise = document.createElement("span");
  promise.className = "promise";
  promise.textContent = r.promise;
  td.append(document.createElement("br"), promise);
  return td;
}

function boardRow(r, base, csrf) {
  const tr = document.createElement("tr");
  tr.dataset.id = r.id;
  tr.className = "u-" + r.urgency;
  const ticket = document.createElement("td");
  const link = document.createElement("a");
  link.href = base + encodeURIComponent(r.id);
  link.textContent = r.ticket;
  ticket.append(link);
  tr.append(ticket, cell(r.urgency), cell(r.role), cell(r.language), cell(r.channel),
    cell(duration(r.age_seconds)), timeLeft(r),
    cell(r.state.replaceAll("_", " ") + (r.offered_to ? " to " + r.offered_to : "")));
  const flags = document.createElement("td");
  for (const f of r.flags) {
    const span = document.createElement("span");
    span.className = "flag";
    span.textContent = f.replaceAll("_", " ");
    flags.append(span, " ");
  }
  tr.append(flags);
  const esc = document.createElement("td");
  if (r.acked_at) {
    esc.textContent = "acknowledged";
  } else {
    esc.append(r.escalation_level ? "paged " + r.escalation_level + "× " : "not paged ");
    const form = document.createElement("form");
    form.method = "post";
    form.action = base + encodeURIComponent(r.id) + "/ack";
    form.className = "inline";
    for (const [name, value] of [["csrf_token", csrf], ["from", "board"]]) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.append(input);
    }
    const button = document.createElement("button");
    button.type = "submit";
    button.className = "small";
    button.textContent = "ACK " + r.ticket;
    form.append(button);
    esc.append(form);
  }
  tr.append(esc);
  tr.querySelectorAll("td").forEach((td, i) => { td.dataset.label = LABELS[i]; });
  return tr;
}

function liveBoard(status) {
  const body = document.getElementById("board-rows");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const base = status.dataset.request;
  async function refresh() {
    const response = await fetch(status.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) { status.textContent = "Not updating (sign in again?)"; return; }
    const page = await response.json();
    const rows = page.items.map((r) => boardRow(r, base, csrf));
    if (!rows.length) {
      const tr = document.createElement("tr");
      tr.className = "empty";
      const td = cell("No open requests.");
      td.colSpan = 10;
      tr.append(td);
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    document.getElementById("count").textContent =
      page.total + " open request" + (page.total === 1 ? "" : "s");
  }
  // One call makes several events (created, offered, connected …): re-read once for a burst.
  let pending = null;
  function soon() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; refresh().catch(() => {}); }, 250);
  }
  const events = new EventSource(status.dataset.events);
  events.addEventListener("hello", () => { status.textContent = "Live"; });
  events.addEventListener("board", soon);
  events.addEventListener("error", () => { status.textContent = "Reconnecting…"; });
  setInterval(() => { refresh().catch(() => {}); }, 30000);  // ages and time left move on
}

// A request's page says when that request changes (an offer rings, someone ACKs …); it
// does not reload by itself, so a half-filled form is never lost.
function liveRequest(notice) {
  const events = new EventSource(notice.dataset.events);
  events.addEventListener("board", (event) => {
    const data = JSON.parse(event.data);
    if (data.request_id === notice.dataset.id) {
      notice.hidden = false;
      events.close();
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("live");
  if (status) liveBoard(status);
  const notice = document.getElementById("request-live");
  if (notice) liveRequest(notice);
});

// Peerline sandbox softphones. Plain ES module, no build step, no network beyond this origin.
// The page re-reads /sandbox/state whenever the event stream says something changed,
// and updates each open phone card in place (append-only lists keep screen readers calm).
// A phone that starts ringing is opened, scrolled into view and rings (when sound is on);
// when the sandbox stops, everything is disabled under a banner saying so.

import { ring, unlock } from "./ringer.js";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
const OPEN_KEY = "peerline-sandbox-open-phones";
const SOUND_KEY = "peerline-sandbox-sound";
const READ_KEY = "peerline-sandbox-read-texts";

const state = {
  data: null,
  open: loadOpen(),
  cards: new Map(),
  spoken: new Map(),
  firstRender: true,
  ringSeen: new Set(), // sids of incoming calls already brought to the person's attention
  read: loadRead(), // phone number -> sid of the last text from the hotline seen open
  stopped: false,
};

function loadOpen() {
  try {
    const saved = JSON.parse(localStorage.getItem(OPEN_KEY) || "null");
    return Array.isArray(saved) ? saved : null;
  } catch {
    return null;
  }
}

function saveOpen() {
  localStorage.setItem(OPEN_KEY, JSON.stringify(state.open));
}

function loadRead() {
  try {
    const saved = JSON.parse(localStorage.getItem(READ_KEY) || "{}");
    return saved && typeof saved === "object" ? saved : {};
  } catch {
    return {};
  }
}

async function post(path, body = {}) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(payload.error || `Request failed (${response.status})`);
  return payload;
}

function pretty(number) {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number || "");
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : number;
}

function international(number) {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number || "");
  return m ? `+1 ${m[1]} ${m[2]} ${m[3]}` : number;
}

function clock(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function clockSeconds(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

function namesList(names) {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function isRinging(call) {
  return call.incoming && call.status === "ringing";
}

// ---- reading state ------------------------------------------------------------------

let refreshTimer = null;
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    refreshTimer = null;
    await refresh();
  }, 40);
}

async function refresh() {
  if (state.stopped) return;
  let response;
  try {
    response = await fetch("/sandbox/state", { cache: "no-store" });
  } catch {
    return; // the event stream's error handler decides whether the sandbox has stopped
  }
  if (!response.ok) return;
  state.data = await response.json();
  if (state.open === null) {
    const chosen = state.data.phones.filter((p) => p.open_by_default);
    state.open = (chosen.length ? chosen : state.data.phones.slice(0, 2)).map((p) => p.number);
    saveOpen();
  }
  const ringingNow = newlyRinging(state.data.phones);
  for (const number of ringingNow) if (!state.open.includes(number)) state.open.push(number);
  if (ringingNow.length) saveOpen();
  render();
  if (ringingNow.length) bringIntoView(ringingNow[0]);
  state.firstRender = false;
}

function connect() {
  const live = document.getElementById("live");
  const source = new EventSource("/sandbox/events");
  source.addEventListener("open", () => {
    live.textContent = "Live";
    scheduleRefresh();
  });
  source.addEventListener("change", scheduleRefresh);
  source.addEventListener("error", async () => {
    if (state.stopped) return;
    live.textContent = "Reconnecting…";
    // A stream also ends now and then by design; only a sandbox that no longer answers
    // has stopped.
    try {
      const response = await fetch("/sandbox/state", { cache: "no-store" });
      if (response.ok) return;
    } catch {
      // no answer at all
    }
    source.close();
    stop();
  });
}

function stop() {
  state.stopped = true;
  document.getElementById("live").textContent = "Stopped";
  document.getElementById("stopped").hidden = false;
  document.body.classList.add("is-stopped");
  disableAll();
  ring(false);
}

function disableAll() {
  for (const control of document.querySelectorAll("button, input")) {
    if (!control.closest("#stopped")) control.disabled = true;
  }
}

// ---- a ringing phone is hard to miss -------------------------------------------------

function newlyRinging(phones) {
  const numbers = [];
  for (const phone of phones) {
    for (const call of phone.calls.filter(isRinging)) {
      if (state.ringSeen.has(call.sid)) continue;
      state.ringSeen.add(call.sid);
      if (!numbers.includes(phone.number)) numbers.push(phone.number);
    }
  }
  return numbers;
}

function bringIntoView(number) {
  const card = state.cards.get(number);
  if (!card) return;
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  card.root.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
  card.root.classList.remove("pop");
  void card.root.offsetWidth; // restart the animation
  card.root.classList.add("pop");
  const focused = document.activeElement;
  const typing = focused && focused.matches("input:not([type=checkbox])");
  if (!typing) card.root.querySelector(".answer").focus({ preventScroll: true });
}

// ---- texts the person has not seen yet ---------------------------------------------

function fromHotline(phone) {
  return phone.messages.filter((m) => !m.mine);
}

function unread(phone) {
  const theirs = fromHotline(phone);
  const last = state.read[phone.number];
  return theirs.length - (theirs.findIndex((m) => m.sid === last) + 1);
}

function markRead(phone) {
  const theirs = fromHotline(phone);
  if (!theirs.length || state.read[phone.number] === theirs.at(-1).sid) return;
  state.read[phone.number] = theirs.at(-1).sid;
  localStorage.setItem(READ_KEY, JSON.stringify(state.read));
}

// ---- rendering ----------------------------------------------------------------------

function render() {
  const data = state.data;
  document.getElementById("hotline").textContent = pretty(data.hotline);
  renderPhoneList(data.phones);
  const board = document.getElementById("board");
  const shown = data.phones.filter((p) => state.open.includes(p.number));
  for (const [number, card] of state.cards) {
    if (!shown.some((p) => p.number === number)) {
      card.root.remove();
      state.cards.delete(number);
    }
  }
  for (const phone of shown) {
    let card = state.cards.get(phone.number);
    if (!card) {
      card = makeCard(phone);
      state.cards.set(phone.number, card);
      board.append(card.root);
    }
    updateCard(card, phone);
  }
  board.querySelector(".board-empty").hidden = shown.length > 0;
  renderNotices(data.notices);
  const soundOn = document.getElementById("sound").checked;
  ring(!state.stopped && soundOn && data.phones.some((p) => p.calls.some(isRinging)));
  if (state.stopped) disableAll();
}

function phoneSituation(phone) {
  const calls = phone.calls; // newest first
  const ringing = calls.filter(isRinging);
  const active = calls.find((c) => !c.ended && !isRinging(c));
  const shown = active || calls.find((c) => !isRinging(c)) || null;
  let pill = ["Idle", ""];
  if (ringing.length) pill = ["Ringing", "ringing"];
  else if (active && active.connected) pill = ["In a call", "on-call"];
  else if (active && active.holding) pill = ["On hold", "on-hold"];
  else if (active) pill = ["On a call", "on-call"];
  return { ringing, active, shown, pill };
}

function renderPhoneList(phones) {
  const list = document.getElementById("phone-list");
  for (const phone of phones) if (state.open.includes(phone.number)) markRead(phone);
  list.replaceChildren(
    ...phones.map((phone) => {
      const { pill } = phoneSituation(phone);
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "phone-toggle";
      button.setAttribute("aria-pressed", String(state.open.includes(phone.number)));
      button.dataset.number = phone.number;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = phone.label || "Phone";
      const num = document.createElement("span");
      num.className = "num";
      num.textContent = phone.number;
      const badge = document.createElement("span");
      badge.className = `pill ${pill[1]}`;
      badge.textContent = pill[0];
      button.append(name, badge, num);
      const count = state.open.includes(phone.number) ? 0 : unread(phone);
      if (count > 0) {
        const texts = document.createElement("span");
        texts.className = "unread";
        texts.textContent = `${count} new ${count === 1 ? "text" : "texts"}`;
        button.append(texts);
      }
      button.addEventListener("click", () => toggleOpen(phone.number));
      item.append(button);
      return item;
    }),
  );
}

function toggleOpen(number) {
  state.open = state.open.includes(number)
    ? state.open.filter((n) => n !== number)
    : [...state.open, number];
  saveOpen();
  render();
}

function renderNotices(notices) {
  const list = document.getElementById("notices");
  document.getElementById("notices-empty").hidden = notices.length > 0;
  list.replaceChildren(
    ...notices
      .slice()
      .reverse()
      .map((n) => {
        const item = document.createElement("li");
        const code = document.createElement("code");
        code.textContent = n.code;
        item.append(`${clock(n.at)} · `, code, ` ${n.message}`);
        return item;
      }),
  );
}

function makeCard(phone) {
  const root = document.getElementById("phone-card").content.firstElementChild.cloneNode(true);
  const $ = (selector) => root.querySelector(selector);
  const card = {
    root,
    number: phone.number,
    callSid: null,
    shownLines: 0,
    lines: new Map(), // "kind|text" -> the transcript item first showing it
    shownTexts: 0,
    el: {
      title: $(".card-title"),
      number: $(".card-number"),
      pill: $(".pill"),
      incoming: $(".incoming"),
      incomingText: $(".incoming-text"),
      status: $(".call-status"),
      callerId: $(".caller-id"),
      transcript: $(".transcript"),
      listening: $(".listening"),
      keypad: $(".keypad"),
      sayInput: $(".say input"),
      sayButton: $(".say button"),
      dial: $(".dial"),
      hangup: $(".hangup"),
      error: $(".card-error"),
      chat: $(".chat"),
      chatEmpty: $(".chat-empty"),
    },
  };
  root.dataset.number = phone.number;
  root.setAttribute("aria-label", `Phone ${phone.label || ""} ${phone.number}`);
  for (const key of KEYS) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = key;
    button.setAttribute("aria-label", `Key ${key}`);
    button.addEventListener("click", () => act(card, "press", { digits: key }));
    card.el.keypad.append(button);
  }
  root.addEventListener("keydown", (event) => {
    if (event.target.closest("input") || !KEYS.includes(event.key) || !card.active) return;
    event.preventDefault();
    act(card, "press", { digits: event.key });
  });
  $(".close").addEventListener("click", () => toggleOpen(phone.number));
  root.addEventListener("animationend", () => root.classList.remove("pop"));
  $(".answer").addEventListener("click", () => act(card, "answer", {}, card.ringingSid));
  $(".decline").addEventListener("click", () => act(card, "decline", {}, card.ringingSid));
  card.el.hangup.addEventListener("click", () => act(card, "hangup"));
  card.el.dial.addEventListener("click", () => run(card, () => post(`/sandbox/phones/${encodeURIComponent(card.number)}/dial`)));
  $(".say").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = card.el.sayInput.value.trim();
    if (!text) return;
    card.el.sayInput.value = "";
    act(card, "say", { text });
  });
  $(".sms-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = event.target.elements.body;
    const body = input.value.trim();
    if (!body) return;
    input.value = "";
    run(card, () => post(`/sandbox/phones/${encodeURIComponent(card.number)}/sms`, { body }));
  });
  return card;
}

async function run(card, action) {
  card.el.error.textContent = "";
  try {
    await action();
  } catch (error) {
    card.el.error.textContent = error.message;
  }
}

function act(card, action, body = {}, sid = null) {
  const target = sid || (card.active && card.active.sid);
  if (!target) return;
  return run(card, () => post(`/sandbox/calls/${target}/${action}`, body));
}

function updateCard(card, phone) {
  const { ringing, active, shown, pill } = phoneSituation(phone);
  const el = card.el;
  el.title.textContent = phone.label || "Phone";
  el.number.textContent = international(phone.number);
  el.pill.textContent = pill[0];
  el.pill.className = `pill ${pill[1]}`;
  card.root.classList.toggle("is-ringing", ringing.length > 0);
  card.root.classList.toggle("is-holding", Boolean(active && active.holding));

  card.ringingSid = ringing.length ? ringing[0].sid : null;
  el.incoming.hidden = ringing.length === 0;
  if (ringing.length) el.incomingText.textContent = `Incoming call from ${pretty(ringing[0].caller_id)}`;

  card.active = active;
  el.status.textContent = callStatus(shown);
  el.callerId.textContent = shown
    ? `${shown.incoming ? "Caller ID shown on this phone" : "Number dialled"}: ${pretty(shown.caller_id)}`
    : "";
  renderTranscript(card, shown);

  const listening = active && active.listening;
  el.listening.textContent = listening ? listeningWords(listening) : "";
  const canSpeak = Boolean(listening && listening.input.includes("speech"));
  el.sayInput.disabled = !canSpeak;
  el.sayButton.disabled = !canSpeak;
  for (const button of el.keypad.querySelectorAll("button")) button.disabled = !active;
  el.hangup.disabled = !active;
  el.dial.disabled = Boolean(active);

  renderChat(card, phone.messages);
}

function listeningWords(listening) {
  const speech = listening.input.includes("speech");
  const what = speech ? (listening.input.includes("dtmf") ? "keys or speech" : "speech") : "keys";
  const hints = speech && listening.hints ? ` (for example: ${listening.hints})` : "";
  const early = listening.prompting ? " · you can answer before the prompt ends" : "";
  return `Listening for ${what}${hints}${early}`;
}

function callStatus(call) {
  if (!call) return "No call";
  if (call.ended) return `Call ended (${call.status})`;
  if (call.with.length === 1) return `In a private call with ${call.with[0]}`;
  if (call.with.length > 1) return `In a call with ${namesList(call.with)}`;
  if (call.connected) return "Waiting for someone to join the call";
  if (call.holding) return "On hold";
  if (call.status === "ringing") return call.incoming ? "Ringing" : "Calling…";
  return "On a call";
}

function renderTranscript(card, call) {
  const list = card.el.transcript;
  if (!call) {
    list.replaceChildren();
    card.callSid = null;
    card.shownLines = 0;
    return;
  }
  if (call.sid !== card.callSid) {
    list.replaceChildren();
    card.callSid = call.sid;
    card.shownLines = call.log_start;
    card.lines = new Map();
  }
  const fresh = call.log.slice(Math.max(0, card.shownLines - call.log_start));
  for (const line of fresh) {
    card.shownLines += 1;
    const key = `${line.kind}|${line.text}`;
    if (line.repeat) {
      // Said again (a loop, or the same sentences twice): shown once, marked.
      const first = card.lines.get(key);
      if (first && !first.querySelector(".repeated")) {
        const mark = document.createElement("span");
        mark.className = "repeated";
        mark.textContent = "(repeated)";
        first.querySelector(".text").append(" ", mark);
      }
      continue;
    }
    const item = document.createElement("li");
    item.className = line.kind;
    const at = document.createElement("time");
    at.className = "at";
    at.dateTime = new Date(line.at * 1000).toISOString();
    at.textContent = clockSeconds(line.at);
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = describe(line);
    item.append(at, text);
    list.append(item);
    card.lines.set(key, item);
    speak(call.sid, card.shownLines - 1, line);
  }
  if (fresh.length) list.scrollTop = list.scrollHeight;
}

function describe(line) {
  switch (line.kind) {
    case "pressed":
      return `You pressed ${line.text}`;
    case "spoke":
      return `You said “${line.text}”`;
    case "play":
      return `♪ Audio: ${line.text}`;
    case "music":
      return `♪ ${line.text}`;
    default:
      return line.text;
  }
}

function speak(callSid, index, line) {
  if (line.kind !== "say" || state.firstRender) return;
  const key = `${callSid}:${index}`;
  if (state.spoken.has(key)) return;
  state.spoken.set(key, true);
  if (!document.getElementById("sound").checked || !("speechSynthesis" in window)) return;
  const utterance = new SpeechSynthesisUtterance(line.text);
  if (line.language) utterance.lang = line.language;
  window.speechSynthesis.speak(utterance);
}

function renderChat(card, messages) {
  const list = card.el.chat;
  card.el.chatEmpty.hidden = messages.length > 0;
  if (messages.length < card.shownTexts) {
    list.replaceChildren();
    card.shownTexts = 0;
  }
  for (const message of messages.slice(card.shownTexts)) {
    const item = document.createElement("li");
    item.className = message.mine ? "mine" : "theirs";
    item.dataset.sid = message.sid;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = `${message.mine ? "You" : "Hotline"} · ${clock(message.at)}`;
    item.append(message.body, meta);
    list.append(item);
  }
  if (messages.length > card.shownTexts) list.scrollTop = list.scrollHeight;
  card.shownTexts = messages.length;
}

// ---- adding phones and the sound toggle ---------------------------------------------

function setUp() {
  const form = document.getElementById("add-phone");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector(".form-error");
    error.textContent = "";
    const number = form.elements.number.value.trim();
    if (!/^\+[1-9]\d{7,14}$/.test(number)) {
      error.textContent = "Use the international format, for example +16175550199.";
      return;
    }
    try {
      await post("/sandbox/phones", { number, label: form.elements.label.value.trim() });
      form.reset();
      if (!state.open.includes(number)) state.open.push(number);
      saveOpen();
      await refresh();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  const sound = document.getElementById("sound");
  sound.checked = localStorage.getItem(SOUND_KEY) === "on";
  sound.addEventListener("change", () => {
    localStorage.setItem(SOUND_KEY, sound.checked ? "on" : "off");
    if (!sound.checked && "speechSynthesis" in window) window.speechSynthesis.cancel();
    if (state.data) render(); // start or stop a ring that is due
  });
  // The first click or key press is when a browser allows sound to start.
  for (const kind of ["pointerdown", "keydown"]) {
    document.addEventListener(kind, () => {
      unlock();
      if (state.data && !state.stopped) render();
    }, { once: true });
  }
  document.getElementById("reload").addEventListener("click", () => window.location.reload());
}

setUp();
refresh().then(connect);

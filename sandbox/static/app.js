// Peerline sandbox softphones. Plain ES module, no build step, no network beyond this origin.
// The page re-reads /sandbox/state whenever the event stream says something changed,
// and updates each open phone card in place (append-only lists keep screen readers calm).

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
const OPEN_KEY = "peerline-sandbox-open-phones";
const SOUND_KEY = "peerline-sandbox-sound";

const state = { data: null, open: loadOpen(), cards: new Map(), spoken: new Map(), firstRender: true };

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
  const response = await fetch("/sandbox/state", { cache: "no-store" });
  if (!response.ok) return;
  state.data = await response.json();
  if (state.open === null) {
    state.open = state.data.phones.slice(0, 2).map((p) => p.number);
    saveOpen();
  }
  render();
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
  source.addEventListener("error", () => {
    live.textContent = "Reconnecting…";
  });
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
}

function phoneSituation(phone) {
  const calls = phone.calls; // newest first
  const ringing = calls.filter((c) => c.incoming && c.status === "ringing");
  const active = calls.find((c) => !c.ended && !(c.incoming && c.status === "ringing"));
  const shown = active || calls.find((c) => !(c.incoming && c.status === "ringing")) || null;
  let pill = ["Idle", ""];
  if (ringing.length) pill = ["Ringing", "ringing"];
  else if (active && active.connected) pill = ["Connected", "on-call"];
  else if (active) pill = ["On a call", "on-call"];
  return { ringing, active, shown, pill };
}

function renderPhoneList(phones) {
  const list = document.getElementById("phone-list");
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
  el.listening.textContent = listening
    ? listening.input.includes("speech")
      ? `Listening for ${listening.input.includes("dtmf") ? "keys or speech" : "speech"}${listening.hints ? ` (for example: ${listening.hints})` : ""}`
      : "Listening for keys"
    : "";
  const canSpeak = Boolean(listening && listening.input.includes("speech"));
  el.sayInput.disabled = !canSpeak;
  el.sayButton.disabled = !canSpeak;
  for (const button of el.keypad.querySelectorAll("button")) button.disabled = !active;
  el.hangup.disabled = !active;
  el.dial.disabled = Boolean(active);

  renderChat(card, phone.messages);
}

function callStatus(call) {
  if (!call) return "No call";
  if (call.ended) return `Call ended (${call.status})`;
  if (call.connected) return "Connected";
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
  }
  const fresh = call.log.slice(Math.max(0, card.shownLines - call.log_start));
  for (const line of fresh) {
    const item = document.createElement("li");
    item.className = line.kind;
    item.textContent = describe(line);
    list.append(item);
    speak(call.sid, card.shownLines, line);
    card.shownLines += 1;
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
  });
}

setUp();
refresh().then(connect);

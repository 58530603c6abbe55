// A phone's ring, generated with the Web Audio API (no audio file): the North American
// two-tone 440 + 480 Hz, two seconds on, four off, for as long as something rings.
// Browsers only let a page make sound after the person has interacted with it, so the
// audio context is created on the first click or key press, never before.

const ON_SECONDS = 2;
const CYCLE_MS = 6000;
const VOLUME = 0.12;

let context = null;
let timer = null;
let voices = [];

function hasInteracted() {
  return navigator.userActivation ? navigator.userActivation.hasBeenActive : false;
}

function audio() {
  if (!context && hasInteracted()) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (Context) context = new Context();
  }
  if (context && context.state === "suspended") context.resume();
  return context;
}

function burst() {
  const ctx = audio();
  if (!ctx) return;
  const t = ctx.currentTime;
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0, t);
  gain.gain.linearRampToValueAtTime(VOLUME, t + 0.05);
  gain.gain.setValueAtTime(VOLUME, t + ON_SECONDS - 0.05);
  gain.gain.linearRampToValueAtTime(0, t + ON_SECONDS);
  gain.connect(ctx.destination);
  for (const frequency of [440, 480]) {
    const tone = ctx.createOscillator();
    tone.frequency.value = frequency;
    tone.connect(gain);
    tone.start(t);
    tone.stop(t + ON_SECONDS);
    tone.addEventListener("ended", () => {
      voices = voices.filter((v) => v !== tone);
    });
    voices.push(tone);
  }
}

/** Ring (true) or be quiet (false); idempotent. Returns whether a ring is sounding. */
export function ring(wanted) {
  if (wanted && !timer && audio()) {
    burst();
    timer = setInterval(burst, CYCLE_MS);
  } else if (!wanted && timer) {
    clearInterval(timer);
    timer = null;
    for (const tone of voices) {
      try {
        tone.stop();
      } catch {
        // already stopped
      }
    }
    voices = [];
  }
  document.body.dataset.ringTone = timer ? "on" : "off";
  return Boolean(timer);
}

/** Call from a click or key handler: the one moment a browser lets audio start. */
export function unlock() {
  audio();
}

// onair's default page: lists the live streams (GET /onair/api/streams) and
// plays one with hls.js (served by onair at /onair/hls.min.js). A stream is
// chosen by a click or by the URL: /?stream=APP/NAME. State for tests and
// the curious is kept in window.onair.
(() => {
  const REFRESH_MS = 3000;
  const video = document.getElementById("video");
  const list = document.getElementById("streams");
  const empty = document.getElementById("empty");
  const status = document.getElementById("status");
  const state = {
    current: null,
    hls: null,
    streams: [],
    errors: [],
    fatal: null,
    startedAt: 0,
    firstFrameMs: null,
  };
  window.onair = state;

  const keyOf = (s) => `${s.app}/${s.name}`;
  const urlOf = (s) => s.hls || `/hls/${encodeURIComponent(s.name)}.m3u8`;

  function setStatus(text) {
    status.textContent = text;
  }

  function render() {
    list.replaceChildren();
    for (const s of state.streams) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = `?stream=${encodeURIComponent(keyOf(s))}`;
      a.textContent = keyOf(s);
      a.dataset.stream = keyOf(s);
      if (state.current === keyOf(s)) a.className = "current";
      const info = [s.video, s.audio].filter(Boolean).join(", ");
      if (info || !s.hls) {
        const small = document.createElement("small");
        small.textContent = s.hls ? info : "no HLS for this application";
        a.append(small);
      }
      if (s.hls === null) {
        a.removeAttribute("href"); // live over RTMP only: nothing to play here
      } else {
        a.addEventListener("click", (ev) => {
          ev.preventDefault();
          history.replaceState(null, "", a.href);
          play(keyOf(s), urlOf(s));
        });
      }
      li.append(a);
      list.append(li);
    }
    empty.hidden = state.streams.length > 0;
  }

  async function refresh() {
    try {
      const res = await fetch("/onair/api/streams", { cache: "no-store" });
      if (res.ok) {
        const body = await res.json();
        state.streams = Array.isArray(body.streams) ? body.streams : [];
        render();
      }
    } catch (err) {
      state.errors.push({ type: "api", details: String(err) });
    }
  }

  function onFirstFrame() {
    if (state.firstFrameMs === null) {
      state.firstFrameMs = Math.round(performance.now() - state.startedAt);
      setStatus(`Playing ${state.current} (first frame after ${state.firstFrameMs} ms)`);
    }
  }

  function onHlsError(hls, data) {
    const err = { type: data.type, details: data.details, fatal: data.fatal };
    state.errors.push(err);
    if (!data.fatal) return;
    state.fatal = err;
    setStatus(`Error: ${data.details}; retrying`);
    if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    else setTimeout(() => hls.startLoad(), 1000);
  }

  function play(key, url) {
    if (state.hls) state.hls.destroy();
    state.hls = null;
    state.current = key;
    state.startedAt = performance.now();
    state.firstFrameMs = null;
    watchFirstFrame();
    setStatus(`Loading ${key}…`);
    render();
    if (window.Hls?.isSupported()) {
      const hls = new window.Hls({ liveDurationInfinity: true });
      state.hls = hls;
      hls.on(window.Hls.Events.ERROR, (_ev, data) => onHlsError(hls, data));
      hls.on(window.Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = url;
      video.play().catch(() => {});
    } else {
      setStatus("This browser can play neither MSE nor native HLS.");
    }
  }

  // The first frame shown: requestVideoFrameCallback where the browser has it, else timeupdate.
  function watchFirstFrame() {
    if (typeof video.requestVideoFrameCallback === "function") {
      video.requestVideoFrameCallback(() => onFirstFrame());
    }
  }
  video.addEventListener("timeupdate", () => {
    if (video.currentTime > 0) onFirstFrame();
  });

  const wanted = new URLSearchParams(location.search).get("stream");
  refresh().then(() => {
    if (!wanted) return;
    const found = state.streams.find((s) => keyOf(s) === wanted);
    const name = wanted.split("/").pop();
    play(wanted, found ? urlOf(found) : `/hls/${encodeURIComponent(name)}.m3u8`);
  });
  setInterval(refresh, REFRESH_MS);
})();

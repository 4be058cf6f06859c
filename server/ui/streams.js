// Server-sent event streams of the room and of a teaching class.
//
// liveStream keeps one EventSource open on a URL: it reports whether it
// is live, hands on every "events" message, and after the server closed
// it (a restart, a network failure) it waits, calls retry and opens again
// on a fresh URL (the URL is a function: it says where to resume). An
// "end" event (the credential no longer holds) closes it for good.
//
// classStream follows every room of a class on one stream (the class's,
// GET /api/classes/{id}/stream, when the server announces it); without
// one it falls back to one stream per room for a few rooms, and to
// re-reading now and then for more (a browser opens at most six
// connections to one server, and each open stream holds one).

export const RETRY_MS = 3000;

export function liveStream(url, { onEvents, onLive, onRefused, onEnd, retry }) {
  let es = null, closed = false, opened = false, timer = null;
  const live = (on, text) => onLive && onLive(on, text);
  const connect = () => {
    if (closed) return;
    es = new EventSource(url());
    es.addEventListener("open", () => {
      opened = true;
      live(true, "Live");
    });
    es.addEventListener("events", (e) => onEvents && onEvents(e));
    // The server ends a stream whose credential no longer holds (logged
    // out, expired, revoked) with an "end" event: no point in retrying.
    es.addEventListener("end", (e) => {
      closed = true;
      es.close();
      live(false, "Closed");
      if (onEnd) onEnd(e);
    });
    es.addEventListener("error", () => {
      if (closed) return;
      if (es.readyState !== EventSource.CLOSED) {
        live(false, "Reconnecting…");
        return;
      }
      if (!opened && onRefused && onRefused()) {
        closed = true;
        return;
      }
      live(false, "Offline — retrying");
      timer = setTimeout(() => {
        Promise.resolve(retry ? retry() : null).finally(connect);
      }, RETRY_MS);
    });
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (es) es.close();
    },
  };
}

// MAX_ROOM_STREAMS is how many per-room streams a class screen opens at
// most while the server has no class stream.
export const MAX_ROOM_STREAMS = 4;

// classStream calls onChange(negotiation) when something happens in a
// room of the class (negotiation may be "" when unknown) and onMode(mode)
// with how it follows them: "class" (one stream), "rooms" (one per room)
// or "poll" (re-reading every pollMs). url is the class's stream as the
// server announces it (the debrief's "stream"), or "" when it has none —
// asking for a route that is not there would only log errors.
export function classStream({ url, roomIds, onChange, onMode, pollMs = 15000 }) {
  const subs = [];
  let poll = null;
  const mode = (m) => onMode && onMode(m);
  const fallback = () => {
    if (roomIds.length <= MAX_ROOM_STREAMS) {
      mode("rooms");
      for (const id of roomIds) {
        subs.push(liveStream(() => `/api/negotiations/${encodeURIComponent(id)}/stream?after=0`, { onEvents: () => onChange(id) }));
      }
    } else {
      mode("poll");
      poll = setInterval(() => {
        if (document.visibilityState === "visible") onChange("");
      }, pollMs);
    }
  };
  if (!url) fallback();
  else {
    subs.push(liveStream(() => url, {
      onEvents: (e) => {
        let n = "";
        try {
          n = (JSON.parse(e.data) || {}).negotiation || "";
        } catch {
          /* a notification without a body */
        }
        onChange(n);
      },
      onLive: (on) => on && mode("class"),
      onRefused: () => {
        fallback();
        return true;
      },
    }));
  }
  return {
    close() {
      for (const s of subs) s.close();
      clearInterval(poll);
    },
  };
}

#!/usr/bin/env python3
"""A Parley external agent in plain Python: standard library only.

It speaks Parley's external-agent protocol, versions "parley-agent/2" and
"parley-agent/1" (JSON over HTTP, docs/agent-protocol.md): Parley POSTs /init
when a negotiation starts, /act at each of the agent's turns and /end with the
outcome (after every negotiation, failures included); GET / is the handshake.
Version 2 adds to /init who is who (party, parties_info), the scoring rule and
the deadline's time base, and its history holds every move (offers,
acceptances, walk-outs, votes), not only offers. --protocol-version 1 makes
the agent speak version 1 only.

Strategy: time-dependent concession over the agent's own linear additive
profile. At normalised time t in [0, 1] it aims at

    target(t) = rv + (u_max - rv) * (1 - t ** (1 / e))

(rv: its reservation value, u_max: its best utility; e < 1 concedes late,
like GENIUS's Boulware, e > 1 early, like the Conceder). It accepts an offer
worth at least its target, and otherwise offers a package worth at least the
target, preferring among those just above it the one closest to the other
side's last offer. It never offers or accepts a package below its reservation
value or across one of its own red lines.

Run it:

    python3 examples/python/parley_agent.py --port 9001

and point Parley at http://127.0.0.1:9001 (extagent.New in Go). With
--port 0 it picks a free port; the first line on standard output always says
where it listens.
"""

import argparse
import bisect
import itertools
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION_1 = "parley-agent/1"
VERSION_2 = "parley-agent/2"
VERSIONS = (VERSION_2, VERSION_1)  # highest first
MAX_REQUEST = 16 << 20  # bytes: refuse larger requests
ENUMERATE_LIMIT = 200_000  # packages: above this, offers come from a greedy search


# --- Utility from the profile JSON ------------------------------------------
#
# /init sends the framework and the agent's own profile exactly as Parley
# stores them (framework.Framework and profile.Profile in Go):
#
#   framework.points[i]: {"id", "kind": "options"|"integer"|"real",
#                         "options": [{"id", ...}], "min", "max", "steps"}
#   profile: {"weights": [w_i], "scores": [[s_il] or null],
#             "funcs": [null or {"kind": "linear"|"triangular"|"constant", ...}],
#             "scale": "max"|"absolute", "reservation", "fallback", "red_lines"}
#
# Zero-valued numbers are omitted (Go's omitempty): read them with a default
# of 0 ("min", "slope", "offset", "origin", "low", ...), and a real point
# without "steps" has 11 levels.
#
# A package is a list of level indices, one per point: the option's index for
# an options point, value - min for an integer point, the step index for a
# real point. Its utility is the sum over points of weight * evaluation:
#
#   options point, scale "max":      w_i * score / (highest score of the point)
#                                     (0 when that highest score is < 0.00001)
#   options point, scale "absolute": w_i * score
#   numeric point:                    w_i * f(value of the level), f from funcs[i]
#
# Weights are not renormalised. /init also sends "table": these per-level
# contributions computed by Parley, so an agent may skip all of this; this
# example computes them itself and checks them against the table.


def point_levels(point):
    """Number of levels of a point (the /init "levels" array says the same)."""
    kind = point["kind"]
    if kind == "options":
        return len(point["options"])
    if kind == "integer":
        return int(point.get("max", 0) - point.get("min", 0)) + 1
    return point.get("steps") or 11


def level_value(point, level):
    """The number a level of a numeric point stands for."""
    lo, hi = point.get("min", 0.0), point.get("max", 0.0)
    if point["kind"] == "integer":
        return lo + level
    n = point_levels(point)
    if n <= 1:
        return lo
    if level == n - 1:
        return hi
    return lo + level * (hi - lo) / (n - 1)


def clamp01(x):
    return min(max(x, 0.0), 1.0)


def evaluate(func, x):
    """A numeric point's value function (Go: profile.ValueFunc.Eval)."""
    kind = func.get("kind", "linear")
    g = lambda key: func.get(key, 0.0)
    if kind == "linear":
        return clamp01(g("offset") + g("slope") * (x - g("origin")))
    if kind == "triangular":
        low, top, high, tv = g("low"), g("top"), g("high"), g("top_value")
        if x < low:
            return 0.0
        if x < top:
            return tv * (x - low) / (top - low)
        if x < high:
            return tv * (1 - (x - top) / (high - top))
        return 0.0
    if kind == "constant":
        return g("value")
    raise ValueError("unknown value function kind %r" % kind)


def contributions(framework, profile):
    """contrib[i][l] = weight_i * evaluation of level l of point i."""
    out = []
    for i, point in enumerate(framework["points"]):
        w = profile["weights"][i]
        if point["kind"] == "options":
            scores = profile["scores"][i]
            if profile.get("scale", "max") == "max":
                top = max(scores)
                if top < 0.00001:
                    out.append([0.0] * len(scores))
                    continue
                out.append([w * (s / top) for s in scores])
            else:
                out.append([w * s for s in scores])
        else:
            func = profile["funcs"][i]
            out.append([w * evaluate(func, level_value(point, l)) for l in range(point_levels(point))])
    return out


def utility(contrib, package, interactions=()):
    """Parley's utility, summed in its order: point by point, the value of
    each interaction that applies added right after its last point.
    interactions are /init's table.interactions (version 2), in that order."""
    if not interactions:
        return sum(contrib[i][l] for i, l in enumerate(package))
    u, k = 0.0, 0
    for i, l in enumerate(package):
        u += contrib[i][l]
        while k < len(interactions) and interactions[k]["last"] == i:
            x = interactions[k]
            hit = all(package[t["point"]] in t["levels"] for t in x["terms"])
            if hit != bool(x.get("outside")):
                u += x["value"]
            k += 1
    return u


def reservation_value(profile, contrib, interactions=()):
    """The larger of the declared reservation and the fallback's utility; 0 if neither."""
    values = []
    if profile.get("reservation") is not None:
        values.append(profile["reservation"])
    if profile.get("fallback") is not None:
        values.append(utility(contrib, profile["fallback"], interactions))
    return max(values) if values else 0.0


def crosses_red_line(profile, package):
    """A red line is crossed when every one of its terms matches."""
    for line in profile.get("red_lines") or []:
        terms = line["terms"]
        if terms and all(package[t["point"]] in t["levels"] for t in terms):
            return True
    return False


# --- The strategy ---------------------------------------------------------------


class Negotiation:
    """One negotiation: built at /init, asked at /act, told the outcome at /end."""

    def __init__(self, msg, e, enumerate_limit=ENUMERATE_LIMIT):
        self.e = e
        self.version = msg["version"]
        self.self_index = msg["self"]
        # Version 2 names the parties and the scoring; version 1 does not.
        self.party = msg.get("party")  # {"index", "id", "name", "agent"?}
        self.parties_info = msg.get("parties_info") or []
        self.scoring = msg.get("scoring")  # {"rule", "no_agreement", "note"?}
        deadline = msg.get("deadline") or {}
        if deadline.get("time") == "none" or (not deadline.get("rounds") and not deadline.get("seconds")):
            # Without a deadline, time stays 0: this time-based strategy
            # would never concede from its best package.
            print("warning: negotiation %s has no deadline: time stays 0 and I will not concede"
                  % msg["negotiation"], file=sys.stderr)
        self.framework = msg["framework"]
        self.profile = msg["profile"]
        self.levels = msg["levels"]
        self.contrib = contributions(self.framework, self.profile)
        table = msg.get("table")
        # Non-additive terms (version 2 only; a version 1 agent is never
        # given a profile with interactions).
        self.interactions = (table or {}).get("interactions") or []
        if table is not None:
            for mine, theirs in zip(self.contrib, table["contrib"]):
                if any(abs(a - b) > 1e-9 for a, b in zip(mine, theirs)):
                    print("warning: my utilities differ from Parley's table", file=sys.stderr)
                    break
        self.rv = reservation_value(self.profile, self.contrib, self.interactions)
        # The best utility (a bound when interactions make it a search; the
        # enumeration below replaces it on small spaces).
        self.u_max = sum(max(c) for c in self.contrib) + sum(max(0, x["value"]) for x in self.interactions)
        # The public history as sent: offers {"by", "round", "package"} in
        # version 1; moves {"by", "round", "kind", "package"?, "vote"?} of
        # kind offer, accept, end or vote in version 2.
        self.history = []
        self.candidates = None
        size = 1
        for n in self.levels:
            size *= n
        if size <= enumerate_limit:
            # Every acceptable package, best first.
            self.candidates = sorted(
                ((self.utility(p), list(p))
                 for p in itertools.product(*(range(n) for n in self.levels))
                 if not crosses_red_line(self.profile, p)),
                key=lambda up: -up[0])
            self.candidates = [c for c in self.candidates if c[0] >= self.rv]
            self.keys = [-u for u, _ in self.candidates]  # ascending, for bisect
            if self.candidates:
                self.u_max = self.candidates[0][0]

    def utility(self, package):
        return utility(self.contrib, package, self.interactions)

    def acceptable(self, package):
        return not crosses_red_line(self.profile, package) and self.utility(package) >= self.rv

    def target(self, t):
        return self.rv + (self.u_max - self.rv) * (1 - t ** (1 / self.e))

    def act(self, msg):
        start = msg["history_start"]
        self.history[start:] = msg["history"]
        t = msg["time"]
        target = self.target(t)
        current = msg.get("current")
        if current and msg.get("can_accept") and current["by"] != self.self_index:
            package = current["package"]
            if self.acceptable(package) and self.utility(package) >= target:
                return {"action": "accept"}
        offer = self.offer(target)
        if offer is None:
            return {"action": "end"}  # nothing is worth more than walking away
        return {"action": "offer", "package": offer}

    def opponent_last(self):
        """The other side's last offer (version 1's history has no kind)."""
        for o in reversed(self.history):
            if o.get("kind", "offer") == "offer" and o["by"] != self.self_index:
                return o["package"]
        return None

    def offer(self, target):
        """A package worth at least target, near the other side's last offer."""
        theirs = self.opponent_last()
        if self.candidates is not None:
            if not self.candidates:
                return None
            # candidates[:k] are the packages worth at least target.
            k = bisect.bisect_right(self.keys, -target) or 1
            lowest = self.candidates[k - 1][0]
            window = 0.02 * max(self.u_max - self.rv, 1e-9)
            near = []
            while k > 0 and self.candidates[k - 1][0] <= lowest + window:
                near.append(self.candidates[k - 1])
                k -= 1
            if theirs is None:
                return near[0][1]
            return min(near, key=lambda c: (distance(c[1], theirs), -c[0]))[1]
        return self.greedy(target)

    def greedy(self, target):
        """Large spaces: from the best package, make the largest single-point
        change that keeps the utility at or above target, while one exists.
        Approximate: it may stop above the lowest package worth target."""
        package = [max(range(n), key=lambda l: c[l]) for n, c in zip(self.levels, self.contrib)]
        if crosses_red_line(self.profile, package):
            # Repair: the best single-point change that clears the red lines.
            changes = [package[:i] + [l] + package[i + 1:]
                       for i, n in enumerate(self.levels) for l in range(n) if l != package[i]]
            changes = [p for p in changes if not crosses_red_line(self.profile, p)]
            if not changes:
                return None
            package = max(changes, key=lambda p: self.utility(p))
        if not self.acceptable(package):
            return None
        u = self.utility(package)
        while True:
            best = None
            for i, c in enumerate(self.contrib):
                for l in range(len(c)):
                    trial = package[:i] + [l] + package[i + 1:]
                    v = self.utility(trial) if self.interactions else u - c[package[i]] + c[l]
                    if v < u and v >= max(target, self.rv) and (best is None or v < best[0]):
                        if not crosses_red_line(self.profile, trial):
                            best = (v, i, l)
            if best is None:
                return package
            u, i, l = best
            package[i] = l

    def end(self, msg):
        # A learning agent would update what it knows here. Version 2 says
        # why the negotiation ended: "cause" (agreement, deadline,
        # walked-away, agent-error, timeout, ...), "by" (a party id) and
        # "own_error" when this agent failed.
        if msg.get("own_error"):
            print("negotiation %s: Parley recorded my failure: %s" % (msg["negotiation"], msg["own_error"]),
                  file=sys.stderr)


def distance(a, b):
    return sum(x != y for x, y in zip(a, b))


# --- The HTTP server ------------------------------------------------------------


class Agent:
    def __init__(self, name, e, enumerate_limit=ENUMERATE_LIMIT, versions=VERSIONS):
        self.name, self.e, self.enumerate_limit = name, e, enumerate_limit
        self.versions = versions
        self.lock = threading.Lock()
        self.negotiations = {}

    def handle(self, path, msg):
        """Returns (status, reply) for a POST."""
        if path == "/init":
            if msg.get("version") not in self.versions:
                return 400, {"error": "protocol version %r, I speak %r" % (msg.get("version"), list(self.versions))}
            n = Negotiation(msg, self.e, self.enumerate_limit)
            with self.lock:
                self.negotiations[msg["negotiation"]] = n
            return 200, {"ok": True}
        with self.lock:
            n = self.negotiations.get(msg.get("negotiation"))
        if n is None:
            return 404, {"error": "unknown negotiation %r" % msg.get("negotiation")}
        if path == "/act":
            return 200, n.act(msg)
        if path == "/end":
            # Parley sends /end after every negotiation, failures included:
            # forgetting the negotiation here frees its memory.
            with self.lock:
                self.negotiations.pop(msg["negotiation"], None)
            n.end(msg)
            return 200, {"ok": True}
        return 404, {"error": "no such call " + path}


def make_handler(agent, verbose):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep connections alive between calls
        disable_nagle_algorithm = True  # answers leave at once (no 40 ms delayed-ACK stall)
        wbufsize = 1 << 16  # headers and body in one write; flushed after each request

        def reply(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path != "/":
                return self.reply(404, {"error": "no such page"})
            self.reply(200, {"name": agent.name, "version": agent.versions[0], "versions": list(agent.versions)})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST:
                self.close_connection = True
                return self.reply(413, {"error": "request too large"})
            try:
                msg = json.loads(self.rfile.read(length))
                status, obj = agent.handle(self.path, msg)
            except Exception as exc:  # a bug must not kill the server
                status, obj = 500, {"error": "%s: %s" % (type(exc).__name__, exc)}
            self.reply(status, obj)

        def log_message(self, fmt, *args):
            if verbose:
                sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    return Handler


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=9001, help="port (0: any free port; default 9001)")
    ap.add_argument("--e", type=float, default=0.2, help="concession exponent: <1 late (Boulware), >1 early (default 0.2)")
    ap.add_argument("--name", default=None, help="name in the handshake")
    ap.add_argument("--enumerate-limit", type=int, default=ENUMERATE_LIMIT,
                    help="largest package space to enumerate; above it offers come from a greedy search (default %d)" % ENUMERATE_LIMIT)
    ap.add_argument("--protocol-version", type=int, choices=(1, 2), default=2,
                    help="highest protocol version to speak: 2 (default; also speaks 1) or 1 (version 1 only)")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)
    if args.e <= 0:
        ap.error("--e must be positive")
    versions = VERSIONS if args.protocol_version == 2 else (VERSION_1,)
    agent = Agent(args.name or "py-timedep(e=%g)" % args.e, args.e, args.enumerate_limit, versions)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(agent, args.verbose))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    print("parley agent %s listening on http://%s:%d" % (agent.name, host, port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

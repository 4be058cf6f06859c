#!/usr/bin/env python3
"""Serve any NegMAS SAO negotiator to Parley over the parley-agent protocol.

    python3 adapters/negmas/parley_negmas.py --negotiator BoulwareTBNegotiator --port 8091

then, in Parley:

    parley run tiny-2p --agent north=boulware --agent south=http://127.0.0.1:8091 --rounds 100

Standard library plus NegMAS (imported from the user's environment:
`pip install negmas`, or PYTHONPATH pointing at a NegMAS source tree). No
NegMAS code is copied here. See adapters/negmas/README.md.

How it works. Every negotiation Parley starts (POST /init) gets its own
private `negmas.sao.SAOMechanism`, with the outcome space and a
`LinearAdditiveUtilityFunction` built from the framework and the party's
profile, the reservation value, and `n_steps` = Parley's round deadline (or
`time_limit` = its wall-time deadline). The served negotiator joins it at the
party's place in the turn order; every other party is a stand-in negotiator
whose moves are the ones Parley reports. The mechanism runs in a thread of its
own: it stops in a stand-in's turn until Parley's next /act says what that
party did, and it calls the served negotiator exactly when Parley asks for its
move. So the negotiator sees what it would see in NegMAS -- the same `state`
(step, relative_time, current_offer, current_proposer, n_acceptances), the
same `nmi` (n_steps, time_limit, n_negotiators, outcome_space) and the same
callbacks (on_negotiation_start, on_round_start, on_partner_proposal,
on_partner_response, on_round_end, on_negotiation_end) in the same order.

Time: NegMAS's relative_time for step s (0-based) of n_steps is
(s+1)/(n_steps+1); Parley's time in round r (1-based) of R is r/(R+1): they
are equal with s = r-1, n_steps = R. With a wall-time deadline the mechanism's
clock is Parley's (time x seconds as of the /act); with no deadline both stay 0.

Utility check: for every offer the negotiator makes or receives and every
agreement, the adapter compares NegMAS's ufun value with the sum of Parley's
`table.contrib` and counts (and prints) any difference above 1e-12; with
--check a difference is an error (the /act answers 500). GET /stats reports the
counts, the live negotiations and the time spent per /act.
"""

import argparse
import ast
import collections
import importlib
import json
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

V1 = "parley-agent/1"
V2 = "parley-agent/2"
MAX_REQUEST = 16 << 20  # bytes: larger requests are refused
TOLERANCE = 1e-12  # largest accepted |NegMAS ufun - Parley table| difference
WAIT = 120.0  # seconds an /act waits for the negotiator's move


def _import_negmas():
    """Imports the parts of NegMAS the adapter needs, or exits with advice."""
    try:
        import warnings

        warnings.filterwarnings("ignore", module="negmas")
        import negmas  # noqa: F401
        from negmas.outcomes import make_os, make_issue, DiscreteCardinalIssue
        from negmas.preferences import LinearAdditiveUtilityFunction, MappingUtilityFunction
        from negmas.preferences.discounted import ExpDiscountedUFun
        from negmas.preferences.value_fun import TableFun
        from negmas.sao import SAOMechanism, SAONegotiator, SAOResponse, ResponseType
    except ImportError as exc:
        sys.exit("parley_negmas: cannot import NegMAS (%s): install it (pip install negmas) "
                 "or put its source on PYTHONPATH" % exc)
    return dict(make_os=make_os, make_issue=make_issue, DiscreteCardinalIssue=DiscreteCardinalIssue,
                LinearAdditiveUtilityFunction=LinearAdditiveUtilityFunction,
                MappingUtilityFunction=MappingUtilityFunction,
                ExpDiscountedUFun=ExpDiscountedUFun, TableFun=TableFun, SAOMechanism=SAOMechanism,
                SAONegotiator=SAONegotiator, SAOResponse=SAOResponse, ResponseType=ResponseType)


NM = None  # the NegMAS names, filled by main() (or load()) before anything is served


def load():
    """Imports NegMAS once; returns the names the adapter uses."""
    global NM
    if NM is None:
        NM = _import_negmas()
    return NM


# --- Negotiator specifications ----------------------------------------------------


def _norm(name):
    return name.lower().replace("-", "").replace("_", "")


def resolve_class(name):
    """The negotiator class for an import path (negmas.sao.BoulwareTBNegotiator,
    mypkg.mymod.MyNegotiator) or a short name of one of negmas.sao's
    (BoulwareTBNegotiator, BoulwareTB, boulware-tb: case, '-', '_' and the
    'Negotiator' suffix do not matter; a final 'tft' stands for TitForTat, so
    Parley's names naive-tft and nice-tft work too)."""
    if "." in name:
        mod, _, attr = name.rpartition(".")
        try:
            return getattr(importlib.import_module(mod), attr)
        except (ImportError, AttributeError) as exc:
            raise ValueError("cannot import %s: %s" % (name, exc))
    import negmas.sao as sao

    want = _norm(name)
    if want.endswith("tft"):  # Parley's names: naive-tft, nice-tft
        want = want[: -len("tft")] + "titfortat"
    for attr in dir(sao):
        if attr.endswith("Negotiator") and want in (_norm(attr), _norm(attr[: -len("Negotiator")])):
            return getattr(sao, attr)
    raise ValueError("no negotiator %r in negmas.sao (give an import path such as mypkg.MyNegotiator)" % name)


def parse_value(text):
    """A parameter value: a Python literal (0.5, True, "x", [1, 2]) or else the text itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_spec(spec):
    """'[alias=]Name[(k=v, ...)]' -> (alias or None, class name, params)."""
    alias = None
    head = spec.split("(", 1)[0]
    if "=" in head:
        alias, spec = spec.split("=", 1)
        alias = alias.strip().strip("/")
    spec = spec.strip()
    params = {}
    if "(" in spec:
        if not spec.endswith(")"):
            raise ValueError("negotiator %r: unbalanced parentheses" % spec)
        try:
            call = ast.parse(spec, mode="eval").body
        except SyntaxError as exc:
            raise ValueError("negotiator %r: %s" % (spec, exc))
        if not isinstance(call, ast.Call) or call.args:
            raise ValueError("negotiator %r: write Name(key=value, ...)" % spec)
        for kw in call.keywords:
            params[kw.arg] = ast.literal_eval(kw.value)
        spec = spec.split("(", 1)[0].strip()
    return alias, spec, params


class Served:
    """One served negotiator type: its class, constructor parameters and name."""

    def __init__(self, spec, extra=None):
        self.alias, self.class_name, self.params = parse_spec(spec)
        self.params.update(extra or {})
        self.cls = resolve_class(self.class_name)
        self.name = self.alias or "negmas:" + self.cls.__name__

    def make(self, name):
        return self.cls(name=name, **self.params)


# --- Framework and profile -> NegMAS outcome space and ufun ----------------------
#
# The utility is Parley's (docs/agent-protocol.md, "Packages, levels and
# utility"), evaluated the way Parley's Go code evaluates it so that NegMAS's
# LinearAdditiveUtilityFunction (u = 0 + w_0*v_0 + w_1*v_1 + ...) gives the same
# double as Parley's table (u = 0 + contrib_0 + contrib_1 + ..., contrib = w*v).


def point_levels(point):
    kind = point["kind"]
    if kind == "options":
        return len(point["options"])
    if kind == "integer":
        return int(point.get("max", 0) - point.get("min", 0)) + 1
    return point.get("steps") or 11


def level_value(point, level):
    lo, hi = point.get("min", 0.0), point.get("max", 0.0)
    if point["kind"] == "integer":
        return lo + level
    n = point_levels(point)
    if n <= 1:
        return lo
    if level == n - 1:
        return hi
    return lo + level * (hi - lo) / (n - 1)


def evaluate(func, x):
    """Go: profile.ValueFunc.Eval."""
    g = lambda key: func.get(key, 0.0)  # noqa: E731
    kind = func.get("kind", "linear")
    if kind == "linear":
        return min(max(g("offset") + g("slope") * (x - g("origin")), 0.0), 1.0)
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


def evaluations(framework, profile, i):
    """The evaluation (before weighting) of every level of point i (Go: Profile.evals with w=1)."""
    point = framework["points"][i]
    if point["kind"] == "options":
        scores = profile["scores"][i]
        if profile.get("scale", "max") == "max":
            top = max(scores)
            if top < 0.00001:
                return [0.0] * len(scores)
            return [s / top for s in scores]
        return [float(s) for s in scores]
    func = profile["funcs"][i]
    return [evaluate(func, level_value(point, l)) for l in range(point_levels(point))]


def issue_values(point):
    """The NegMAS issue values of a point's levels: option ids, integers, or reals."""
    if point["kind"] == "options":
        return [o["id"] for o in point["options"]]
    if point["kind"] == "integer":
        lo = int(point.get("min", 0))
        return list(range(lo, lo + point_levels(point)))
    return [float(level_value(point, l)) for l in range(point_levels(point))]


def make_issue(point, values):
    if point["kind"] == "integer":
        return NM["make_issue"]((values[0], values[-1]), name=point["id"])
    if point["kind"] == "real":
        return NM["DiscreteCardinalIssue"](values, name=point["id"])
    return NM["make_issue"](values=values, name=point["id"])


def reservation_value(msg):
    table = msg.get("table") or {}
    if "reservation" in table or "has_reservation" in table:
        return float(table.get("reservation", 0.0))
    profile = msg["profile"]
    values = []
    if profile.get("reservation") is not None:
        values.append(profile["reservation"])
    if profile.get("fallback") is not None:
        contrib = [[w * e for e in evaluations(msg["framework"], profile, i)]
                   for i, w in enumerate(profile["weights"])]
        values.append(sum(contrib[i][l] for i, l in enumerate(profile["fallback"])))
    return max(values) if values else 0.0


def discount_mode(msg, requested):
    """The discount the negotiator's ufun applies: requested, or for "auto"
    what the negotiation is scored by -- "none" when version 2's scoring rule
    is the undiscounted utility, else "parley" (the profile's d^time)."""
    if requested != "auto":
        return requested
    scoring = msg.get("scoring") or {}
    return "none" if scoring.get("rule") == "utility" else "parley"


def build(msg, discount="parley"):
    """The NegMAS outcome space and ufun of an /init message.

    Returns (values, index, outcome_space, ufun, the negotiator's ufun):
    values[i][l] is the NegMAS value of level l of point i (index[i] the
    inverse), ufun the LinearAdditiveUtilityFunction (undiscounted; a
    MappingUtilityFunction with Parley's own sum when the profile has
    interactions, version 2's table.interactions) and the
    negotiator's ufun the same, wrapped in an ExpDiscountedUFun when the
    profile has a discount in (0, 1) and discount is not "none"."""
    framework, profile = msg["framework"], msg["profile"]
    points = framework["points"]
    values = [issue_values(p) for p in points]
    index = [{v: l for l, v in enumerate(vals)} for vals in values]
    os_ = NM["make_os"]([make_issue(p, v) for p, v in zip(points, values)],
                        name=framework.get("name") or "parley")
    rv = reservation_value(msg)
    name = str((msg.get("party") or {}).get("id") or "party%d" % msg["self"])
    interactions = (msg.get("table") or {}).get("interactions")
    if interactions:
        # Not additive: Parley's utility in Parley's order (contributions
        # point by point, each interaction's value right after its last
        # point), as a NegMAS mapping ufun over the outcome tuples.
        contrib = [[float(w) * e for e in evaluations(framework, profile, i)]
                   for i, w in enumerate(profile["weights"])]

        def parley_utility(outcome):
            if outcome is None:
                return rv
            package = [index[i][v] for i, v in enumerate(outcome)]
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

        ufun = NM["MappingUtilityFunction"](mapping=parley_utility, outcome_space=os_,
                                            reserved_value=rv, name=name)
    else:
        ufun = NM["LinearAdditiveUtilityFunction"](
            values=[NM["TableFun"](dict(zip(vals, evaluations(framework, profile, i))))
                    for i, vals in enumerate(values)],
            weights=[float(w) for w in profile["weights"]],
            outcome_space=os_, reserved_value=rv, name=name)
    agent_ufun = ufun
    d = profile.get("discount") or 0.0
    if discount != "none" and 0 < d < 1:
        agent_ufun = NM["ExpDiscountedUFun"](ufun=ufun, discount=d, outcome_space=os_,
                                             factor="relative_time" if discount == "parley" else "step",
                                             reserved_value=rv, name=ufun.name)
    return values, index, os_, ufun, agent_ufun


# --- The mechanism and the stand-ins for the other parties -----------------------


class Bridge:
    """What the /act handler and the mechanism's thread share, under one condition."""

    def __init__(self):
        self.cv = threading.Condition()
        self.inbox = collections.deque()  # the other parties' moves, in turn order
        self.awaiting = False  # an /act waits for the served negotiator's move
        self.answer = None  # that move, once made
        self.closing = None  # set by /end: {"agreement": outcome or None}
        self.finished = False  # the mechanism's thread returned
        self.error = None  # an exception of the negotiator or the mechanism
        self.time = 0.0  # Parley's time at the latest /act

    def post(self, answer):
        """The mechanism's thread reports the served negotiator's move (first report wins)."""
        with self.cv:
            if self.awaiting and self.answer is None:
                self.answer = answer
                self.cv.notify_all()


_classes = {}  # the two classes below, made once NegMAS is imported


def make_mechanism_class():
    if "mechanism" in _classes:
        return _classes["mechanism"]

    class ParleyMechanism(NM["SAOMechanism"]):
        """An SAOMechanism whose clock, with a wall-time deadline, is Parley's."""

        parley_seconds = 0.0
        parley_bridge = None

        @property
        def time(self):
            if self.parley_seconds and self.parley_bridge is not None:
                return self.parley_bridge.time * self.parley_seconds
            return super().time

    _classes["mechanism"] = ParleyMechanism
    return ParleyMechanism


def make_standin_class():
    if "standin" in _classes:
        return _classes["standin"]
    SAONegotiator, SAOResponse, RT = NM["SAONegotiator"], NM["SAOResponse"], NM["ResponseType"]

    class StandIn(SAONegotiator):
        """Another party: its moves are the ones Parley reports; it also
        reports the served negotiator's moves to the waiting /act."""

        def __init__(self, bridge, served_id, **kwargs):
            super().__init__(**kwargs)
            self.bridge, self.served_id = bridge, served_id

        def propose(self, state, dest=None):  # never called: __call__ answers
            return None

        def __call__(self, state, dest=None):
            b = self.bridge
            with b.cv:
                if b.awaiting and b.answer is None and not b.inbox:
                    # The served negotiator's turn passed without an offer or an
                    # acceptance (NO_RESPONSE): Parley has no such move.
                    b.answer = ("end", None)
                    b.cv.notify_all()
                while not b.inbox and b.closing is None:
                    b.cv.wait()
                if b.inbox:
                    return b.inbox.popleft()
                agreement = b.closing.get("agreement")
                if agreement is not None and agreement == state.current_offer:
                    return SAOResponse(RT.ACCEPT_OFFER, state.current_offer)
                return SAOResponse(RT.END_NEGOTIATION, None)

        def on_partner_proposal(self, state, partner_id, offer):
            if partner_id == self.served_id:
                self.bridge.post(("offer", offer))

        def on_partner_response(self, state, partner_id, outcome, response):
            if partner_id == self.served_id and response == RT.ACCEPT_OFFER:
                self.bridge.post(("accept", outcome))

    _classes["standin"] = StandIn
    return StandIn


class Negotiation:
    """One negotiation: a private SAOMechanism driven by Parley's calls."""

    def __init__(self, msg, served, server):
        if msg.get("protocol", "sao") != "sao":
            raise ValueError("protocol %r: the NegMAS adapter plays sao only" % msg.get("protocol"))
        self.server = server
        self.id = msg["negotiation"]
        self.version = msg.get("version", V1)
        self.self_index = msg["self"]
        self.n = msg["parties"]
        self.framework, self.profile = msg["framework"], msg["profile"]
        self.served = served
        self.init = msg if server.record_init else None
        self.last_used = time.monotonic()
        self.lock = threading.Lock()  # calls of one negotiation are sequential anyway
        self.acts, self.act_seconds = 0, 0.0
        self.checked, self.mismatches, self.max_diff = 0, 0, 0.0
        self.history = []  # the full public history Parley sent (offers, v2: moves)
        self.seen = 0  # len(history) at the previous /act
        self.left = set()  # parties that left (version 2's "leave" moves)

        table = msg.get("table")
        self.contrib = table["contrib"] if table else None
        self.interactions = (table or {}).get("interactions") or []
        self.discount = discount_mode(msg, server.discount)
        self.values, self.index, os_, self.ufun, ufun = build(msg, self.discount)
        if server.strict:
            self.check_table()

        # The deadline: v1's {"rounds", "seconds"}; v2 adds "time".
        deadline = msg.get("deadline") or {}
        rounds, seconds = int(deadline.get("rounds") or 0), float(deadline.get("seconds") or 0.0)
        self.bridge = Bridge()
        mech_cls = make_mechanism_class()
        self.mech = mech_cls(outcome_space=os_, n_steps=rounds or None,
                             time_limit=seconds or float("inf"), sync_calls=True,
                             ignore_negotiator_exceptions=False,
                             name="parley-" + self.id)
        self.mech.parley_seconds, self.mech.parley_bridge = seconds, self.bridge
        names = {}
        for p in msg.get("parties_info") or []:
            names[p.get("index")] = p.get("id") or p.get("name")
        standin = make_standin_class()
        self.negotiator = served.make(names.get(self.self_index) or "party%d" % self.self_index)
        self.served_id = self.negotiator.id
        for j in range(self.n):
            if j == self.self_index:
                ok = self.mech.add(self.negotiator, preferences=ufun)
            else:
                ok = self.mech.add(standin(self.bridge, self.served_id, name=names.get(j) or "party%d" % j))
            if not ok:
                raise ValueError("NegMAS refused party %d into the mechanism" % j)
        self.thread = None

    # -- utility checks --

    def parley_utility(self, package):
        """Parley's table: contributions, each interaction after its last point."""
        u, k = 0.0, 0
        for i, l in enumerate(package):
            u += self.contrib[i][l]
            while k < len(self.interactions) and self.interactions[k]["last"] == i:
                x = self.interactions[k]
                if all(package[t["point"]] in t["levels"] for t in x["terms"]) != bool(x.get("outside")):
                    u += x["value"]
                k += 1
        return u

    def check(self, package, what):
        """Compares NegMAS's ufun with Parley's table on one package; returns NegMAS's value."""
        u = float(self.ufun(self.outcome(package)))
        if self.contrib is not None:
            diff = abs(u - self.parley_utility(package))
            self.checked += 1
            self.max_diff = max(self.max_diff, diff)
            if diff > TOLERANCE:
                self.mismatches += 1
                text = "utility mismatch on %s %s: NegMAS %r, Parley %r" % (
                    what, package, u, self.parley_utility(package))
                print("parley_negmas: negotiation %s: %s" % (self.id, text), file=sys.stderr, flush=True)
                if self.server.strict:
                    raise ValueError(text)
        return u

    def check_table(self):
        """--check: every level's contribution, NegMAS's (w * v) against Parley's."""
        if self.contrib is None or self.interactions:
            return  # with interactions the ufun is Parley's own sum (build)
        for i, vals in enumerate(self.values):
            w, fn = self.ufun.weights[i], self.ufun.values[i]
            for l, v in enumerate(vals):
                mine, theirs = w * fn(v), self.contrib[i][l]
                if abs(mine - theirs) > TOLERANCE:
                    raise ValueError("point %d level %d: NegMAS %r, Parley %r" % (i, l, mine, theirs))

    # -- translation --

    def outcome(self, package):
        return tuple(vals[l] for vals, l in zip(self.values, package))

    def package(self, outcome):
        return [idx[v] for idx, v in zip(self.index, outcome)]

    def others_moves(self, new):
        """The other parties' moves since the previous /act, in turn order, as SAOResponses.

        Between two turns of this party every other party moved once, in turn
        order (at the first turn: the parties before it), except those that
        left. Version 2's history says what each did (kind offer, accept, end,
        leave); version 1's has offers
        only, and a party that made none accepted (an end would have ended the
        session). The same inference covers a version 2 history of offers only."""
        SAOResponse, RT = NM["SAOResponse"], NM["ResponseType"]
        last = {m.get("by"): m for m in new if m.get("by") != self.self_index}
        if self.acts == 0:
            movers = list(range(self.self_index))
        else:
            movers = [(self.self_index + k) % self.n for k in range(1, self.n)]
        moves = []
        for j in movers:
            if j in self.left:
                continue
            m = last.get(j)
            kind = "accept" if m is None else m.get("kind") or "offer"
            if kind == "offer":
                self.check(m["package"], "offer received")
                moves.append(SAOResponse(RT.REJECT_OFFER, self.outcome(m["package"])))
            elif kind == "end":
                moves.append(SAOResponse(RT.END_NEGOTIATION, None))
            elif kind == "leave":  # version 2, several parties: j left, the others go on
                self.left.add(j)
                moves.append(SAOResponse(RT.LEAVE, None))
            else:
                moves.append(SAOResponse(RT.ACCEPT_OFFER, None))
        return moves

    # -- calls --

    def act(self, msg):
        start = time.perf_counter()
        hs = int(msg.get("history_start", len(self.history)))
        self.history[hs:] = msg.get("history") or []
        new = self.history[self.seen:]  # a resend (hs < seen) rewrote what we had seen
        moves = self.others_moves(new)
        b = self.bridge
        with b.cv:
            b.time = float(msg.get("time") or 0.0)
            b.inbox.extend(moves)
            b.answer, b.awaiting = None, True
            b.cv.notify_all()
        if self.thread is None:
            self.thread = threading.Thread(target=self.run, name="negmas-" + self.id, daemon=True)
            self.thread.start()
        with b.cv:
            deadline = time.monotonic() + WAIT
            while b.answer is None and not b.finished:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                b.cv.wait(left)
            answer, b.awaiting, b.answer = b.answer, False, None
            error, finished = b.error, b.finished
        self.seen = len(self.history)
        self.acts += 1
        if answer is None:
            if error is not None:
                raise RuntimeError("the NegMAS negotiator failed: %s" % error)
            if not finished:
                raise RuntimeError("the NegMAS negotiator did not move within %g s" % WAIT)
            answer = ("end", None)
        kind, out = answer
        if kind == "offer":
            pkg = self.package(out)
            self.check(pkg, "offer made")
            reply = {"action": "offer", "package": pkg}
        elif kind == "accept":
            reply = {"action": "accept"}
        else:
            reply = {"action": "end"}
        self.act_seconds += time.perf_counter() - start
        return reply

    def run(self):
        """The mechanism's thread."""
        b = self.bridge
        try:
            self.mech.run()
        except Exception as exc:  # the negotiator's own exception, most likely
            with b.cv:
                b.error = "%s: %s" % (type(exc).__name__, exc)
            if self.server.verbose:
                traceback.print_exc()
        finally:
            with b.cv:
                st = self.mech.state
                if b.error is None and getattr(st, "has_error", False) and b.closing is None:
                    b.error = str(getattr(st, "error_details", "") or "mechanism error")
                if b.awaiting and b.answer is None and b.error is None:
                    # Ended in the served negotiator's turn: it ended the negotiation.
                    b.answer = ("end", None)
                b.finished = True
                b.cv.notify_all()

    def close(self, msg=None):
        """Ends the mechanism (the negotiator hears on_negotiation_end) and its thread."""
        b = self.bridge
        agreement = None
        if msg and msg.get("agreement") is not None:
            try:
                agreement = self.outcome(msg["agreement"])
            except (IndexError, TypeError):
                agreement = None
        with b.cv:
            b.closing = {"agreement": agreement}
            b.cv.notify_all()
        if self.thread is not None:
            self.thread.join(5.0)

    def end(self, msg):
        """Checks the agreement's utility, closes the mechanism; returns the --record line."""
        u, diff = None, None
        try:
            if msg.get("agreement") is not None:
                u = self.check(msg["agreement"], "agreement")
                if msg.get("utility") is not None:
                    diff = abs(u - msg["utility"])
                    if diff > TOLERANCE:
                        self.mismatches += 1
                        print("parley_negmas: negotiation %s: agreement utility: NegMAS %r, Parley's /end %r"
                              % (self.id, u, msg["utility"]), file=sys.stderr, flush=True)
        finally:
            self.close(msg)
        record = {"negotiation": self.id, "framework": self.framework.get("name"),
                  "self": self.self_index, "negotiator": self.served.name,
                  "status": msg.get("status"), "reason": msg.get("reason"), "cause": msg.get("cause"),
                  "round": msg.get("round"), "agreement": msg.get("agreement"),
                  "parley_utility": msg.get("utility"), "negmas_utility": u, "utility_diff": diff,
                  "acts": self.acts, "act_seconds": self.act_seconds,
                  "checked": self.checked, "mismatches": self.mismatches, "max_diff": self.max_diff}
        if self.init is not None:
            record["init"] = self.init
            record["discount"] = self.discount
            record["spec"] = {"class": self.served.cls.__module__ + "." + self.served.cls.__name__,
                              "params": self.served.params}
        return record


# --- The server ------------------------------------------------------------------


class Adapter:
    """Every negotiation in progress, keyed by negotiation id, and the counters of /stats."""

    def __init__(self, served, discount="auto", strict=False, verbose=False, record=None,
                 idle_timeout=300.0, version=None, record_init=False):
        self.served = served  # mount ("" for the root) -> Served
        self.discount, self.strict, self.verbose = discount, strict, verbose
        self.idle_timeout, self.version = idle_timeout, version
        self.record_init = record_init
        self.lock = threading.Lock()
        self.negotiations = {}
        self.stats = dict(inits=0, acts=0, ends=0, act_seconds=0.0, max_act_seconds=0.0,
                          checked=0, mismatches=0, max_diff=0.0, errors=0, reaped=0)
        self.record = open(record, "a", buffering=1) if record else None

    def hello(self, mount):
        s = self.served[mount]
        h = {"name": s.name, "version": V2 if self.version == V2 else V1}
        if self.version is None:
            h["versions"] = [V2, V1]
        return h

    def route(self, path):
        """(mount, call) of a request path: /init, /boulware/act, ..."""
        path = path.split("?", 1)[0].rstrip("/")
        head, _, call = path.rpartition("/")
        return head.strip("/"), call

    def handle(self, path, msg):
        """(status, reply) of a POST."""
        mount, call = self.route(path)
        if mount not in self.served:
            return 404, {"error": "no negotiator at /%s" % mount}
        if call == "init":
            version = msg.get("version")
            if version not in (V1, V2) or (self.version and version != self.version):
                return 400, {"error": "protocol version %r, I speak %s" % (version, self.version or V2 + " and " + V1)}
            with self.lock:
                old = self.negotiations.pop(msg.get("negotiation"), None)
            if old is not None:
                old.close()
            n = Negotiation(msg, self.served[mount], self)
            with self.lock:
                self.negotiations[n.id] = n
                self.stats["inits"] += 1
                self.stats[version] = self.stats.get(version, 0) + 1
            return 200, {"ok": True}
        with self.lock:
            n = self.negotiations.get(msg.get("negotiation"))
        if n is None:
            return 404, {"error": "unknown negotiation %r" % msg.get("negotiation")}
        n.last_used = time.monotonic()
        if call == "act":
            with n.lock:
                start = time.perf_counter()
                reply = n.act(msg)
                spent = time.perf_counter() - start
            with self.lock:
                self.stats["acts"] += 1
                self.stats["act_seconds"] += spent
                self.stats["max_act_seconds"] = max(self.stats["max_act_seconds"], spent)
            return 200, reply
        if call == "end":
            with self.lock:
                self.negotiations.pop(n.id, None)
            # Not under n.lock: an /act still waiting (Parley gave up on it)
            # must not hold the /end; closing releases the mechanism first.
            try:
                record = n.end(msg)
            finally:
                self.forget(n)
            if self.record is not None:
                with self.lock:
                    self.record.write(json.dumps(record) + "\n")
            return 200, {"ok": True}
        return 404, {"error": "no such call /" + call}

    def forget(self, n):
        with self.lock:
            self.stats["ends"] += 1
            self.stats["checked"] += n.checked
            self.stats["mismatches"] += n.mismatches
            self.stats["max_diff"] = max(self.stats["max_diff"], n.max_diff)

    def reap(self):
        """Forgets negotiations idle for longer than idle_timeout (no /end came)."""
        now = time.monotonic()
        with self.lock:
            idle = [n for n in self.negotiations.values() if now - n.last_used > self.idle_timeout]
            for n in idle:
                del self.negotiations[n.id]
                self.stats["reaped"] += 1
        for n in idle:
            n.close()

    def snapshot(self):
        with self.lock:
            s = dict(self.stats)
            s["negotiations"] = len(self.negotiations)
        s["threads"] = threading.active_count()
        s["ms_per_act"] = 1000 * s["act_seconds"] / s["acts"] if s["acts"] else None
        return s


def make_handler(adapter):
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
            path = self.path.split("?", 1)[0]
            if path.rstrip("/") == "/stats":
                return self.reply(200, adapter.snapshot())
            mount = path.strip("/")
            if mount in adapter.served:
                return self.reply(200, adapter.hello(mount))
            self.reply(404, {"error": "no negotiator at %s" % path})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST:
                self.close_connection = True
                return self.reply(413, {"error": "request too large"})
            try:
                msg = json.loads(self.rfile.read(length))
                status, obj = adapter.handle(self.path, msg)
            except Exception as exc:  # a bug or the negotiator's failure must not kill the server
                if adapter.verbose:
                    traceback.print_exc()
                with adapter.lock:
                    adapter.stats["errors"] += 1
                status, obj = 500, {"error": "%s: %s" % (type(exc).__name__, exc)}
            self.reply(status, obj)

        def log_message(self, fmt, *args):
            if adapter.verbose:
                sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    return Handler


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="NEGOTIATOR is [ALIAS=]NAME[(key=value, ...)]: NAME an import path "
                                        "(negmas.sao.BoulwareTBNegotiator, mypkg.MyNegotiator) or a negmas.sao "
                                        "short name (BoulwareTB, conceder-tb, NaiveTitForTat); with ALIAS it is "
                                        "served at http://HOST:PORT/ALIAS (the first one also at /).")
    ap.add_argument("--negotiator", action="append", required=True, metavar="NEGOTIATOR",
                    help="the NegMAS negotiator to serve (repeatable, with aliases)")
    ap.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                    help="a constructor parameter of the (first) negotiator; VALUE a Python literal or text")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=8091, help="port (0: any free port; default 8091)")
    ap.add_argument("--discount", choices=["auto", "parley", "step", "none"], default="auto",
                    help="how the negotiator's ufun applies a profile's discount d: parley (u*d^relative_time, "
                         "GENIUS's and Parley's), step (u*d^step, what NegMAS's GENIUS reader builds), none, or "
                         "auto (default: none when Parley says (protocol 2) the score is the undiscounted "
                         "utility, else parley)")
    ap.add_argument("--check", action="store_true",
                    help="a utility mismatch with Parley's table above 1e-12 is an error (default: counted and printed)")
    ap.add_argument("--protocol", choices=["1", "2", "auto"], default="auto",
                    help="parley-agent version: 1, 2, or auto (default: hello says %s and offers both)" % V1)
    ap.add_argument("--record", metavar="FILE", help="append one JSON line per finished negotiation to FILE")
    ap.add_argument("--record-init", action="store_true",
                    help="--record also the /init message and the negotiator's class (for negmas_direct.py)")
    ap.add_argument("--idle-timeout", type=float, default=300.0,
                    help="forget a negotiation idle for this many seconds (default 300)")
    ap.add_argument("--verbose", action="store_true", help="log every request and traceback to stderr")
    args = ap.parse_args(argv)
    load()
    extra = {}
    for kv in args.param:
        if "=" not in kv:
            ap.error("--param %r: want KEY=VALUE" % kv)
        k, v = kv.split("=", 1)
        extra[k.strip()] = parse_value(v)
    served = {}
    try:
        for i, spec in enumerate(args.negotiator):
            s = Served(spec, extra if i == 0 else None)
            if s.alias in served or (s.alias is None and i > 0):
                ap.error("--negotiator %r: give every negotiator after the first a distinct ALIAS=" % spec)
            if i == 0:
                served[""] = s
            if s.alias:
                served[s.alias] = s
    except ValueError as exc:
        ap.error(str(exc))
    version = {"1": V1, "2": V2, "auto": None}[args.protocol]
    adapter = Adapter(served, discount=args.discount, strict=args.check, verbose=args.verbose,
                      record=args.record, idle_timeout=args.idle_timeout, version=version,
                      record_init=args.record_init)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(adapter))
    server.daemon_threads = True
    host, port = server.server_address[:2]

    def reaper():
        while True:
            time.sleep(min(30.0, max(args.idle_timeout / 4, 0.05)))
            adapter.reap()

    threading.Thread(target=reaper, name="reaper", daemon=True).start()
    for mount, s in served.items():
        print("parley-negmas serving %s (%s%s) on http://%s:%d/%s" % (
            s.name, s.cls.__module__ + "." + s.cls.__name__,
            "" if not s.params else " " + json.dumps(s.params), host, port, mount), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

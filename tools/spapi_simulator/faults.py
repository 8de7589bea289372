"""Faults on demand, drawn from a seeded random stream.

SPEC grammar (see README.md):

    spec    := rule ("," rule)*
    rule    := kind [ "=" seconds ] [ ":" trigger ] [ "@" operation ( "|" operation )* ]
    kind    := 429 | 429empty | 500 | 503 | slow | drop | malformed | truncate
    trigger := probability (0 < p <= 1, default 1)  |  "#" N (the next N matching calls)
               |  "%" N (every Nth matching call)

`slow=S` delays the answer by S seconds (default 30).  `truncate` only applies to document
downloads (it cuts the report document in half); the other kinds apply to SP-API operations,
and to `lwaToken` only when it is named explicitly.
"""

import random
import threading

from .const import DOWNLOAD_OPERATION, LWA_OPERATION

KINDS = ("429", "429empty", "500", "503", "slow", "drop", "malformed", "truncate")


class FaultRule:
    def __init__(self, kind, seconds=None, probability=1.0, count=None, every=None, ops=None):
        self.kind = kind
        self.seconds = seconds
        self.probability = probability
        self.count = count
        self.every = every
        self.ops = ops
        self.seen = 0

    def applies_to(self, operation):
        if self.ops:
            return operation in self.ops
        if self.kind == "truncate":
            return operation == DOWNLOAD_OPERATION
        return operation not in (LWA_OPERATION, DOWNLOAD_OPERATION)

    def describe(self):
        out = self.kind + ("=%g" % self.seconds if self.seconds is not None else "")
        if self.count is not None:
            out += ":#%d" % self.count
        elif self.every is not None:
            out += ":%%%d" % self.every
        elif self.probability != 1.0:
            out += ":%g" % self.probability
        if self.ops:
            out += "@" + "|".join(sorted(self.ops))
        return out


def parse_spec(spec):
    """Parse a SPEC string into FaultRules; raises ValueError with the offending rule."""
    rules = []
    for raw in (spec or "").split(","):
        raw = raw.strip()
        if not raw:
            continue
        body, _, ops = raw.partition("@")
        head, _, trigger = body.partition(":")
        kind, _, seconds = head.partition("=")
        kind = kind.strip()
        if kind not in KINDS:
            raise ValueError("unknown fault kind %r in %r" % (kind, raw))
        rule = FaultRule(kind)
        if seconds:
            rule.seconds = float(seconds)
        elif kind == "slow":
            rule.seconds = 30.0
        trigger = trigger.strip()
        if trigger.startswith("#"):
            rule.count = int(trigger[1:])
        elif trigger.startswith("%"):
            rule.every = int(trigger[1:])
            if rule.every < 1:
                raise ValueError("bad period in %r" % raw)
        elif trigger:
            rule.probability = float(trigger)
            if not 0.0 < rule.probability <= 1.0:
                raise ValueError("probability out of (0, 1] in %r" % raw)
        if ops.strip():
            rule.ops = {o.strip() for o in ops.split("|") if o.strip()}
        rules.append(rule)
    return rules


class FaultInjector:
    """Decides, per call, which fault (if any) to inject.  Thread-safe, seeded."""

    def __init__(self, spec=None, seed=0):
        self._lock = threading.Lock()
        self._random = random.Random("faults-%s" % seed)
        self.rules = parse_spec(spec)

    def set_spec(self, spec):
        rules = parse_spec(spec)
        with self._lock:
            self.rules = rules

    @property
    def spec(self):
        return ",".join(r.describe() for r in self.rules)

    def draw(self, operation):
        """The first rule that fires for this call, or None."""
        with self._lock:
            for rule in self.rules:
                if not rule.applies_to(operation):
                    continue
                if rule.count is not None:
                    if rule.count <= 0:
                        continue
                    rule.count -= 1
                    return rule
                if rule.every is not None:
                    rule.seen += 1
                    if rule.seen % rule.every == 0:
                        return rule
                    continue
                if rule.probability >= 1.0 or self._random.random() < rule.probability:
                    return rule
        return None

"""Amazon's own sandbox cases, served verbatim.

Each operation in Amazon's Swagger models carries, under
`responses.<code>.x-amzn-api-sandbox.static`, a list of {request: {parameters}, response}.
A request matches a case when every parameter the case names has that value in the request
(path, query - arrays compared as lists, comma-separated or repeated - or JSON body compared
as a whole); the case naming the most parameters wins.  Cases that name no parameter at all
(Amazon's catch-alls, e.g. getMarketplaceParticipations) are ignored: they would mask the
living scenario for every request.
"""

import json
import os
import re

HTTP_METHODS = ("get", "post", "put", "delete", "patch")


def default_models_dir():
    """`<repo>/../shared/amazon/sp-api-models` when it exists, else None."""
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    path = os.path.join(os.path.dirname(repo), "shared", "amazon", "sp-api-models")
    return path if os.path.isdir(path) else None


def _norm(value):
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, type(None))):
        return value
    return str(value)


def _template_regex(template):
    pattern = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile("^" + pattern + "$")


class SandboxCase:
    def __init__(self, status, parameters, response, has_response):
        self.status = status
        self.parameters = parameters
        self.response = response
        self.has_response = has_response


class SandboxOperation:
    def __init__(self, method, template, operation, document):
        self.method = method.upper()
        self.template = template
        self.regex = _template_regex(template)
        self.operation_id = operation.get("operationId")
        self.params = {p.get("name"): p for p in operation.get("parameters", []) if "name" in p}
        self.cases = []
        for code, resp in operation.get("responses", {}).items():
            if not isinstance(resp, dict):
                continue
            for case in resp.get("x-amzn-api-sandbox", {}).get("static", []) or []:
                params = (case.get("request") or {}).get("parameters") or {}
                if not params or any("value" not in v for v in params.values()):
                    continue
                self.cases.append(SandboxCase(int(code), {k: v["value"] for k, v in params.items()},
                                              case.get("response"), "response" in case))
        self.cases.sort(key=lambda c: -len(c.parameters))

    def _actual(self, name, path_args, query, body):
        definition = self.params.get(name, {})
        where = definition.get("in")
        if where == "path" or name in path_args:
            return path_args.get(name)
        if where == "body" or (name == "body" and not definition):
            return body
        if name in query:
            values = query[name]
            if definition.get("type") == "array":
                out = []
                for v in values:
                    out.extend(x for x in v.split(",") if x != "")
                return out
            return values[0]
        return KeyError

    def match(self, path_args, query, body):
        for case in self.cases:
            for name, expected in case.parameters.items():
                actual = self._actual(name, path_args, query, body)
                if actual is KeyError:
                    break
                if isinstance(expected, list) and not isinstance(actual, list):
                    actual = [actual]
                if name in SUPERSET_PARAMETERS and set(expected) <= set(actual):
                    continue  # asking for more data does not change which case answers
                if _norm(actual) != _norm(expected):
                    break
            else:
                return case
        return None


# List parameters for which a request asking for more than the case still matches it.
SUPERSET_PARAMETERS = {"includedData"}


class Sandbox:
    """All static sandbox cases of the models found in a directory."""

    def __init__(self, models_dir):
        self.models_dir = models_dir
        self.operations = []
        self.documents = {}
        if not models_dir or not os.path.isdir(models_dir):
            return
        for name in sorted(os.listdir(models_dir)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(models_dir, name), encoding="utf-8") as handle:
                try:
                    doc = json.load(handle)
                except ValueError:
                    continue
            if "paths" not in doc:
                continue
            self.documents[name] = doc
            for template, item in doc["paths"].items():
                for method, operation in item.items():
                    if method in HTTP_METHODS and isinstance(operation, dict):
                        op = SandboxOperation(method, template, operation, doc)
                        if op.cases:
                            self.operations.append(op)

    def __len__(self):
        return sum(len(op.cases) for op in self.operations)

    def lookup(self, method, path, query, body):
        """The matching SandboxCase for a request, or None."""
        for op in self.operations:
            if op.method != method:
                continue
            found = op.regex.match(path)
            if not found:
                continue
            case = op.match(found.groupdict(), query, body)
            if case:
                return case
        return None

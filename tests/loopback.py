"""A tiny scripted HTTP server for exercising the real SP-API client against chosen answers.

Every API request receives the next scripted answer (status, body, content type, delay);
the LWA token endpoint answers with a token unless a token answer is scripted.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedAnswer:
    def __init__(self, status=200, body=b"", content_type="application/json", delay=0.0):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.content_type = content_type
        self.delay = delay


class LoopbackServer:
    """``with LoopbackServer() as server: server.answer(...); ... server.url``"""

    def __init__(self):
        self.api_answers = []
        self.token_answers = []
        self.requests = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, *args, **kwargs):
        self.api_answers.append(ScriptedAnswer(*args, **kwargs))

    def answer_token(self, *args, **kwargs):
        self.token_answers.append(ScriptedAnswer(*args, **kwargs))

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._reply()

            def do_POST(self):
                self._reply()

            def _reply(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path, dict(self.headers), body))
                if self.path.startswith("/auth/o2/token"):
                    answer = server.token_answers.pop(0) if server.token_answers else ScriptedAnswer(
                        body={"access_token": "Atza|loopback", "token_type": "bearer",
                              "expires_in": 3600, "refresh_token": "r"})
                else:
                    answer = server.api_answers.pop(0) if server.api_answers else ScriptedAnswer(
                        500, {"errors": [{"code": "NoScript", "message": "no scripted answer"}]})
                time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("content-type", answer.content_type)
                    self.send_header("content-length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler

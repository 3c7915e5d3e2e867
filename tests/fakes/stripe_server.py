"""A FAKE Stripe API on 127.0.0.1, for tests and benchmarks (Stripe's servers are not reachable).

The official ``stripe`` SDK talks to it (api_base = this server), so the SDK's encoding,
idempotency headers and error handling are the real ones. It keeps state for what terms-kit
uses: Checkout Sessions (with a "pay" page a browser can submit), PaymentIntents with
automatic or manual capture, capture up to the hold, cancel, refunds, idempotency keys, and
events signed with ``stripe.WebhookSignature.generate_signature_header``, like Stripe's.

Events are either POSTed at once to ``webhook_url`` (a live server) or kept in ``outbox`` for
a test to deliver through Django's test client (``take_events``).
"""

import html
import itertools
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe

API_VERSION = stripe.api_version
HOLD_SECONDS = 7 * 24 * 3600  # customer-initiated card holds last 7 days


class FakeStripeError(Exception):
    def __init__(self, status, message, code="", kind="invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.code, self.kind = status, message, code, kind


def parse_params(pairs):
    """Stripe's form encoding (a[b][0][c]=x) back into nested dicts and lists."""
    root = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


class FakeStripe:
    def __init__(self, webhook_secret, secret_key="sk_test_fake", webhook_url=None):
        self.webhook_secret = webhook_secret
        self.secret_key = secret_key
        self.webhook_url = webhook_url
        self.lock = threading.RLock()
        self.sessions, self.intents, self.charges, self.refunds = {}, {}, {}, {}
        self.idempotent = {}
        self.requests = []  # (method, path, params, idempotency key) as received
        self.outbox = []  # (body, signature header) not delivered yet
        self.deliveries = []  # (event type, HTTP status) of events POSTed to webhook_url
        self._ids = itertools.count(1)
        self.server = None

    # --- life cycle ---------------------------------------------------------------------

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                fake._dispatch(self, "GET")

            def do_POST(self):
                fake._dispatch(self, "POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    # --- objects --------------------------------------------------------------------------

    def _id(self, prefix):
        return f"{prefix}_fake{next(self._ids):06d}{secrets.token_hex(4)}"

    def _event(self, etype, obj):
        event = {
            "id": self._id("evt"), "object": "event", "api_version": API_VERSION,
            "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None}, "type": etype,
            "data": {"object": json.loads(json.dumps(obj))},
        }
        return json.dumps(event)

    def sign(self, body, timestamp=None):
        return stripe.WebhookSignature.generate_signature_header(
            body, self.webhook_secret, timestamp=timestamp)

    def _emit(self, *events):
        """Sign and deliver (or keep) events, in the order Stripe would send them."""
        for etype, obj in events:
            body = self._event(etype, obj)
            header = self.sign(body)
            if self.webhook_url:
                request = urllib.request.Request(
                    self.webhook_url, data=body.encode(), method="POST",
                    headers={"Content-Type": "application/json", "Stripe-Signature": header})
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status = response.status
                except urllib.error.HTTPError as exc:
                    status = exc.code
                self.deliveries.append((etype, status))
            else:
                self.outbox.append((body, header))

    def take_events(self):
        with self.lock:
            events, self.outbox = self.outbox, []
        return events

    def event(self, etype, obj):
        """A signed (body, header) pair for ``obj`` as it is now: for tests that replay."""
        body = self._event(etype, obj)
        return body, self.sign(body)

    def _charge_view(self, charge):
        return dict(charge)

    def _intent_view(self, intent, expand=()):
        view = dict(intent)
        if "latest_charge" in expand and intent["latest_charge"]:
            view["latest_charge"] = self._charge_view(self.charges[intent["latest_charge"]])
        return view

    # --- API --------------------------------------------------------------------------------

    def create_session(self, params):
        items = params.get("line_items") or []
        if len(items) != 1:
            raise FakeStripeError(400, "The fake takes exactly one line item.", "parameter_missing")
        price = items[0]["price_data"]
        amount = int(price["unit_amount"]) * int(items[0].get("quantity", 1))
        if amount <= 0:
            raise FakeStripeError(400, "Invalid amount.", "amount_too_small")
        for key in ("success_url", "cancel_url"):
            if not params.get(key, "").startswith(("http://", "https://")):
                raise FakeStripeError(400, f"Not a valid URL: {key}", "url_invalid")
        intent_data = params.get("payment_intent_data") or {}
        session_id = self._id("cs_test")
        session = {
            "id": session_id, "object": "checkout.session", "mode": params.get("mode"),
            "amount_total": amount, "amount_subtotal": amount, "currency": price["currency"],
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata") or {}, "locale": params.get("locale"),
            "payment_intent": None, "payment_status": "unpaid", "status": "open",
            "success_url": params["success_url"], "cancel_url": params["cancel_url"],
            "url": f"{self.url}/pay/{session_id}", "created": int(time.time()),
            "expires_at": int(time.time()) + 24 * 3600, "livemode": False,
            "_intent_data": intent_data,
        }
        self.sessions[session_id] = session
        return session

    def pay(self, session_id, card="4242424242424242"):
        """What the pay page does: the card is charged (or held), then the events go out."""
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None or session["status"] != "open":
                raise FakeStripeError(404, "No such open checkout session.")
            if card.startswith("4000000000000002"):
                raise FakeStripeError(402, "Your card was declined.", "card_declined",
                                      "card_error")
            intent_data = session["_intent_data"]
            manual = intent_data.get("capture_method") == "manual"
            now = int(time.time())
            intent_id, charge_id = self._id("pi"), self._id("ch")
            amount = session["amount_total"]
            charge = {
                "id": charge_id, "object": "charge", "amount": amount,
                "amount_captured": 0 if manual else amount, "amount_refunded": 0,
                "captured": not manual, "currency": session["currency"], "paid": True,
                "payment_intent": intent_id, "refunded": False, "status": "succeeded",
                "created": now, "metadata": {},
                "payment_method_details": {"type": "card", "card": {
                    "brand": "visa", "last4": card[-4:],
                    "capture_before": now + HOLD_SECONDS if manual else None}},
            }
            intent = {
                "id": intent_id, "object": "payment_intent", "amount": amount,
                "amount_capturable": amount if manual else 0,
                "amount_received": 0 if manual else amount,
                "capture_method": "manual" if manual else "automatic_async",
                "currency": session["currency"], "created": now,
                "description": intent_data.get("description"),
                "metadata": intent_data.get("metadata") or {},
                "status": "requires_capture" if manual else "succeeded",
                "latest_charge": charge_id, "cancellation_reason": None, "canceled_at": None,
                "livemode": False,
            }
            self.charges[charge_id], self.intents[intent_id] = charge, intent
            session.update(status="complete", payment_intent=intent_id,
                           payment_status="unpaid" if manual else "paid")
            public = {k: v for k, v in session.items() if not k.startswith("_")}
            events = [("charge.succeeded", charge)]
            events.append(("payment_intent.amount_capturable_updated", intent) if manual
                          else ("payment_intent.succeeded", intent))
            events.append(("checkout.session.completed", public))
        self._emit(*events)
        return session

    def _intent(self, intent_id):
        intent = self.intents.get(intent_id)
        if intent is None:
            raise FakeStripeError(404, f"No such payment_intent: '{intent_id}'",
                                  "resource_missing")
        return intent

    def capture(self, intent_id, params):
        with self.lock:
            intent = self._intent(intent_id)
            if intent["status"] != "requires_capture":
                raise FakeStripeError(
                    400, "This PaymentIntent could not be captured because it has a status "
                    f"of {intent['status']}.", "payment_intent_unexpected_state")
            amount = int(params.get("amount_to_capture") or intent["amount_capturable"])
            if amount > intent["amount_capturable"]:
                raise FakeStripeError(400, "amount_to_capture is greater than the amount "
                                      "capturable.", "amount_too_large")
            charge = self.charges[intent["latest_charge"]]
            charge.update(captured=True, amount_captured=amount)
            intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
            events = [("charge.captured", charge), ("payment_intent.succeeded", intent)]
        self._emit(*events)
        return intent

    def cancel(self, intent_id, reason="requested_by_customer", emit=True):
        with self.lock:
            intent = self._intent(intent_id)
            if intent["status"] in ("succeeded", "canceled"):
                raise FakeStripeError(
                    400, "You cannot cancel this PaymentIntent because it has a status of "
                    f"{intent['status']}.", "payment_intent_unexpected_state")
            intent.update(status="canceled", cancellation_reason=reason,
                          canceled_at=int(time.time()), amount_capturable=0)
        if emit:
            self._emit(("payment_intent.canceled", intent))
        return intent

    def expire_hold(self, intent_id):
        """What Stripe does when a hold is not captured in 7 days: the intent is canceled."""
        return self.cancel(intent_id, reason="automatic")

    def refund(self, params):
        with self.lock:
            intent = self._intent(params.get("payment_intent", ""))
            charge = self.charges[intent["latest_charge"]]
            left = charge["amount_captured"] - charge["amount_refunded"]
            amount = int(params.get("amount") or left)
            if intent["status"] != "succeeded" or amount > left or amount <= 0:
                raise FakeStripeError(400, f"Refund amount ({amount}) is greater than the "
                                      f"unrefunded amount on the charge ({left}).",
                                      "amount_too_large")
            refund = {"id": self._id("re"), "object": "refund", "amount": amount,
                      "charge": charge["id"], "payment_intent": intent["id"],
                      "currency": charge["currency"], "status": "succeeded",
                      "created": int(time.time())}
            self.refunds[refund["id"]] = refund
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
            events = [("charge.refunded", charge), ("refund.created", refund)]
        self._emit(*events)
        return refund

    def list_refunds(self, params):
        with self.lock:
            data = [r for r in self.refunds.values()
                    if r["payment_intent"] == params.get("payment_intent")]
        return {"object": "list", "url": "/v1/refunds", "has_more": False, "data": data}

    def _api(self, method, path, params):
        routes = [
            ("POST", r"/v1/checkout/sessions", lambda: self._public(self.create_session(params))),
            ("GET", r"/v1/checkout/sessions/(?P<id>[\w]+)",
             lambda id: self._public(self.sessions[id]) if id in self.sessions else None),
            ("GET", r"/v1/payment_intents/(?P<id>\w+)",
             lambda id: self._intent_view(self._intent(id), params.get("expand") or ())),
            ("POST", r"/v1/payment_intents/(?P<id>\w+)/capture",
             lambda id: self.capture(id, params)),
            ("POST", r"/v1/payment_intents/(?P<id>\w+)/cancel",
             lambda id: self.cancel(id, params.get("cancellation_reason")
                                    or "requested_by_customer")),
            ("POST", r"/v1/refunds", lambda: self.refund(params)),
            ("GET", r"/v1/refunds", lambda: self.list_refunds(params)),
        ]
        for verb, pattern, action in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                result = action(**match.groupdict())
                if result is None:
                    raise FakeStripeError(404, "No such object.", "resource_missing")
                return result
        raise FakeStripeError(404, f"Unrecognized request URL ({method}: {path}).")

    @staticmethod
    def _public(session):
        return {k: v for k, v in session.items() if not k.startswith("_")}

    # --- HTTP -------------------------------------------------------------------------------

    def _dispatch(self, handler, method):
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        pairs = parse_qsl(url.query, keep_blank_values=True)
        if method == "POST":
            pairs += parse_qsl(body, keep_blank_values=True)
        params = parse_params(pairs)
        if url.path.startswith("/pay/"):
            return self._pay_page(handler, method, url.path[len("/pay/"):], params)
        if handler.headers.get("Authorization") != f"Bearer {self.secret_key}":
            return self._json(handler, 401, {"error": {
                "type": "invalid_request_error", "message": "Invalid API Key provided."}})
        key = handler.headers.get("Idempotency-Key")
        self.requests.append((method, url.path, params, key))
        try:
            with self.lock:
                if method == "POST" and key and key in self.idempotent:
                    previous_params, status, payload = self.idempotent[key]
                    if previous_params != (url.path, params):
                        raise FakeStripeError(
                            400, "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.", "idempotency_error",
                            "idempotency_error")
                    return self._json(handler, status, payload, replayed=True)
            payload = self._api(method, url.path, params)
            status = 200
        except FakeStripeError as exc:
            status = exc.status
            payload = {"error": {"type": exc.kind, "code": exc.code, "message": exc.message}}
        if method == "POST" and key:
            with self.lock:
                self.idempotent.setdefault(key, ((url.path, params), status, payload))
        return self._json(handler, status, payload)

    def _json(self, handler, status, payload, replayed=False):
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Request-Id", "req_fake")
        if replayed:
            handler.send_header("Idempotent-Replayed", "true")
        handler.end_headers()
        handler.wfile.write(data)

    def _pay_page(self, handler, method, session_id, params):
        session = self.sessions.get(session_id)
        if session is None:
            return self._html(handler, 404, "<p>No such checkout session.</p>")
        if method == "POST":
            try:
                self.pay(session_id, card=str(params.get("card", "4242424242424242")))
            except FakeStripeError as exc:
                message = html.escape(exc.message)
                return self._html(handler, exc.status, f"<p id='error'>{message}</p>")
            target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
            handler.send_response(303)
            handler.send_header("Location", target)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return None
        amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
        hold = session["_intent_data"].get("capture_method") == "manual"
        return self._html(handler, 200, f"""<h1>Fake Stripe Checkout</h1>
<p id="amount">{html.escape(amount)}</p><p id="mode">{'hold' if hold else 'payment'}</p>
<form method="post"><label>Card <input name="card" id="card" value="4242424242424242"></label>
<button type="submit" id="fake-pay">Pay {html.escape(amount)}</button></form>
<a id="fake-cancel" href="{html.escape(session['cancel_url'])}">Cancel</a>""")

    def _html(self, handler, status, content):
        data = f"<!doctype html><html><body>{content}</body></html>".encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

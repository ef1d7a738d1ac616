"""Schemathesis hooks for test/e2e/openapi-schemathesis.e2e.spec.ts (loaded through SCHEMATHESIS_HOOKS).

Streaming operations never end on their own: GET /v2/events is excluded on the command line, and
GET /v1/events is tested as pages only: a generated `follow=true` (which turns the page into an
endless NDJSON stream) is sent as `follow=false`, in every phase.
"""
import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.path == "/v1/events" and case.query and "follow" in case.query:
        case.query["follow"] = "false"

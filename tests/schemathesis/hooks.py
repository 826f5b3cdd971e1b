"""Schemathesis hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

The main run fuzzes every operation with one administrator's access token. A generated case
that targets that administrator's own account or session (lock, delete, force logout, demote,
revoke the session) would end the token for the rest of the run and turn every later case into
a 401, so such cases are dropped. The script runs the operations that end the caller's own
session or account (logout, account deletion, password change) in a second pass with a
throwaway user instead.
"""
import json
import os
import zlib

import schemathesis

_ADMIN_ID = os.environ.get("GH_FUZZ_ADMIN_ID", "")
_SESSION_ID = os.environ.get("GH_FUZZ_SESSION_ID", "")


@schemathesis.hook
def filter_case(context, case):
    params = case.path_parameters or {}
    path = case.operation.path
    method = case.operation.method.upper()
    if _ADMIN_ID and path.startswith("/api/v1/admin/users/{public_id}") and method in ("PATCH", "DELETE"):
        return params.get("public_id") != _ADMIN_ID
    if _SESSION_ID and path == "/api/v1/auth/sessions/{id}":
        return params.get("id") != _SESSION_ID
    return True


# Second pass (GH_FUZZ_FRESH_USERS=<base URL>): every case gets a user of its own, registered
# and logged in just before it, so logging out or deleting the account in one case cannot
# turn the next ones into 401s.
_FRESH_BASE = os.environ.get("GH_FUZZ_FRESH_USERS", "")

if _FRESH_BASE:
    import secrets

    import requests

    @schemathesis.auth(refresh_interval=None)
    class FreshUser:
        def get(self, case, context):
            email = f"fuzz-{secrets.token_hex(8)}@example.com"
            password = "Fz-" + secrets.token_urlsafe(18)
            r = requests.post(f"{_FRESH_BASE}/api/v1/auth/register", json={"email": email, "password": password},
                              timeout=30)
            r.raise_for_status()
            r = requests.post(f"{_FRESH_BASE}/api/v1/auth/login", json={"email": email, "password": password},
                              timeout=30)
            r.raise_for_status()
            return r.json()["data"]["access_token"]

        def set(self, case, data, context):
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"


# Existing resources (tests/schemathesis/seed.py, GH_FUZZ_IDS): half of the generated path
# parameters (chosen by a hash of the generated value, so a seed still replays) are replaced
# by the id of a real resource of the right kind.
_IDS = json.loads(os.environ.get("GH_FUZZ_IDS") or "{}")


def _kind(path, name):
    if name == "id":
        for prefix, kind in (("/api/v1/organizations/", "org"), ("/api/v1/services/", "service"),
                             ("/api/v1/roles/", "role"), ("/api/v1/tokens/", "token"),
                             ("/api/v1/admin/webhooks/", "webhook"), ("/api/v1/admin/clients/", "client")):
            if path.startswith(prefix):
                return kind
        return None
    return {"userId": "user", "uid": "user", "public_id": "user", "sid": "service", "rid": "role",
            "roleId": "org_role", "invitationId": "invitation", "client_id": "client",
            "name": "global_role"}.get(name)


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    if not _IDS or not path_parameters or context.operation is None:
        return path_parameters
    path = context.operation.path
    out = dict(path_parameters)
    for name, value in path_parameters.items():
        choices = _IDS.get(_kind(path, name) or "", [])
        digest = zlib.crc32(repr(value).encode())
        if choices and digest % 2 == 0:
            out[name] = choices[(digest >> 1) % len(choices)]
    return out

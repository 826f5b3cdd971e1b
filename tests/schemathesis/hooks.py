"""Schemathesis hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

The main run fuzzes every operation with one administrator's access token. A generated case
that targets that administrator's own account or session (lock, delete, force logout, demote,
revoke the session) would end the token for the rest of the run and turn every later case into
a 401, so such cases are dropped. The script runs the operations that end the caller's own
session or account (logout, account deletion, password change) in a second pass with a
throwaway user instead.
"""
import os

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

"""Creates one of each resource the API manages, as the fuzzing administrator, and prints
their ids as JSON for hooks.py (GH_FUZZ_IDS), so that generated cases also reach existing
organizations, services, roles, tokens, webhooks and clients instead of only 404s.
Usage: seed.py BASE_URL ADMIN_TOKEN USER_ID"""
import json
import sys

import requests

base, token, user_id = sys.argv[1:4]
s = requests.Session()
s.headers["Authorization"] = f"Bearer {token}"
ids: dict[str, list[str]] = {"user": [user_id, "me"]}


def make(kind, path, body, key="id"):
    r = s.post(base + path, json=body, timeout=30)
    if r.status_code // 100 != 2:
        print(f"seed: {path} answered {r.status_code}: {r.text[:200]}", file=sys.stderr)
        return None
    value = r.json()["data"][key]
    ids.setdefault(kind, []).append(value)
    return value


org = make("org", "/api/v1/organizations", {"name": "Fuzz org", "description": "seeded"})
if org:
    make("org_role", f"/api/v1/organizations/{org}/roles", {"name": "fuzzers", "permissions": []})
    make("invitation", f"/api/v1/organizations/{org}/invitations", {"email": "invitee@example.com"})
    s.post(f"{base}/api/v1/organizations/{org}/members", json={"user_id": user_id}, timeout=30)
svc = make("service", "/api/v1/services", {"name": "fuzz-service", "description": "seeded"})
if svc:
    role = make("role", f"/api/v1/services/{svc}/roles", {"name": "reader", "permissions": ["doc:read"]})
    make("token", "/api/v1/tokens", {"service_id": svc, "name": "fuzz token"})
    if role:
        s.post(f"{base}/api/v1/users/{user_id}/services/{svc}/roles/{role}", timeout=30)
make("webhook", "/api/v1/admin/webhooks", {"url": "https://example.com/gatehouse-hook", "event_types": ["*"]})
make("client", "/api/v1/admin/clients", {"name": "Fuzz client", "redirect_uris": ["https://example.com/cb"]},
     key="client_id")
ids["global_role"] = ["admin", "user"]
print(json.dumps(ids))

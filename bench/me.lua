-- GET /api/v1/auth/me with a valid access token (env TOKEN).
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

-- GET /api/v1/tokens/validate with an application token (env APP_TOKEN).
wrk.method = "GET"
wrk.headers["X-App-Token"] = os.getenv("APP_TOKEN")

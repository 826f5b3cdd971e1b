-- POST /oauth2/token, grant_type=client_credentials with client_secret_basic (env BASIC).
wrk.method = "POST"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BASIC")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=client_credentials"

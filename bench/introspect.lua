-- POST /oauth2/introspect of a client_credentials access token (env BASIC, ACCESS).
wrk.method = "POST"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BASIC")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "token=" .. os.getenv("ACCESS")

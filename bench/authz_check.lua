-- POST /api/v1/authz/check: the caller asks about itself (env TOKEN, SUBJECT, SERVICE).
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"subject":"' .. os.getenv("SUBJECT") .. '","service":"' .. os.getenv("SERVICE") ..
           '","permission":"doc:read"}'

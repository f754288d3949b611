-- Adds the bearer token from RENEW_FETCH_BENCH_TOKEN to every wrk request, so the token never
-- appears on a command line or in wrk's output.
local token = os.getenv("RENEW_FETCH_BENCH_TOKEN")
if token == nil or token == "" then
  error("RENEW_FETCH_BENCH_TOKEN is empty; scripts/bench.sh sets it to the benchmark token")
end
wrk.headers["Authorization"] = "Bearer " .. token

-- wrk script: POST /pp-restapi-CD/v1/wallet/cc with a unique, Luhn-valid PAN per request.
-- Environment: PICCO_PM_TOKEN (a PM session token), PICCO_RUN (0-9, so successive runs against
-- one database never repeat a PAN). PAN = 4 <run> <thread> <12-digit counter> <Luhn digit>.
-- wrk is closed-loop: its latencies are service times at the given connection count.
local token = os.getenv("PICCO_PM_TOKEN") or error("PICCO_PM_TOKEN is not set")
local run = tonumber(os.getenv("PICCO_RUN") or "0") % 10
local threads = {}

function setup(thread)
  thread:set("tid", #threads % 10)
  table.insert(threads, thread)
end

local counter = 0
local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }

local function luhn_digit(body)
  local sum, double = 0, true
  for i = #body, 1, -1 do
    local d = tonumber(body:sub(i, i))
    if double then d = d * 2; if d > 9 then d = d - 9 end end
    sum = sum + d
    double = not double
  end
  return tostring((10 - sum % 10) % 10)
end

request = function()
  counter = counter + 1
  local body = string.format("4%d%d%012d", run, tid or 0, counter)
  local pan = body .. luhn_digit(body)
  return wrk.format("POST", "/pp-restapi-CD/v1/wallet/cc", headers,
    '{"data":{"type":"CREDIT_CARD","favourite":false,"creditCard":{"pan":"' .. pan ..
    '","holder":"Mario Rossi","expireMonth":"12","expireYear":"30","securityCode":"123"}}}')
end

local statuses = {}
response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("PICCO_WRK rps=%.0f p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end

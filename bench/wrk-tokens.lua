-- wrk script for the many-users load (scripts/bench.sh): requests cycle
-- through distinct valid access tokens, one per line of FILE (minted by
-- bench/js/mint-tokens.mjs), each thread from its own starting line, so no
-- server can answer from one token's verified result.
-- With PAUSE_MS, each connection waits that long between requests: a
-- fixed rate, for latency without queueing.
-- usage: wrk ... -s bench/wrk-tokens.lua URL -- FILE [PAUSE_MS]

local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  headers = {}
  for line in io.lines(args[1]) do
    headers[#headers + 1] = { ["Authorization"] = "Bearer " .. line }
  end
  at = (id * 500) % #headers
  local pause = tonumber(args[2])
  -- Defined only when asked for: wrk checks for it after init.
  if pause then
    function delay()
      return pause
    end
  end
end

function request()
  at = at % #headers + 1
  return wrk.format("GET", nil, headers[at])
end

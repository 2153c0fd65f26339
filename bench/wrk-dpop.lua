-- wrk script for the DPoP load (scripts/bench.sh): every request carries
-- a proof of its own, signed ahead by bench/js/dpop-load.mjs, so wrk signs
-- nothing. Thread i of n sends lines i, i+n, ... of that file, so no two
-- requests share a jti. usage: wrk ... -s bench/wrk-dpop.lua URL -- FILE THREADS

local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  local threads = tonumber(args[2])
  proofs, line_no = {}, 0
  for line in io.lines(args[1]) do
    if line_no == 0 then
      token = line
    elseif (line_no - 1) % threads == id then
      proofs[#proofs + 1] = line
    end
    line_no = line_no + 1
  end
  next_proof = 1
end

function request()
  -- Past the last proof, wrk would replay: the API refuses those (errors).
  local proof = proofs[next_proof] or proofs[1]
  next_proof = next_proof + 1
  return wrk.format("GET", nil, { ["Authorization"] = "DPoP " .. token, ["DPoP"] = proof })
end

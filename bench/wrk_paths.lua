-- wrk script for bench/load.sh: each request is a line of $PATHS (request
-- targets such as /api/search?q=...), taken in a random order that differs
-- between wrk's threads.
local file = os.getenv("PATHS") or "bench/out/load-paths.txt"
local paths = {}
for line in io.lines(file) do
  paths[#paths + 1] = line
end
local counter = 0

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

-- Micro-benchmark: runs on lua5.4, the reference luau and ours. Prints |><|name|><|ms|>...||_|| as bench_support does.
local function run(name, f)
  local times = {}
  for i = 1, 12 do
    local t0 = os.clock()
    f()
    times[#times + 1] = (os.clock() - t0) * 1000
  end
  print("|><|" .. name .. "|><|" .. table.concat(times, "|><|") .. "||_||")
end

run("closures", function()
  local s = 0
  for i = 1, 300000 do
    local f = function() return i end
    s = s + f()
  end
  return s
end)

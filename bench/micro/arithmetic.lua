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

run("arithmetic", function()
  local a, b, c = 1.5, 2.25, 0
  for i = 1, 2000000 do
    c = (c + a * i - b) / 3 + i % 7
  end
  return c
end)

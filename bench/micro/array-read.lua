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

local arr = {}
for i = 1, 1000 do arr[i] = i end
run("array-read", function()
  local s = 0
  for r = 1, 1000 do
    for i = 1, #arr do s = s + arr[i] end
  end
  return s
end)

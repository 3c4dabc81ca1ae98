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

run("string-building", function()
  local parts = {}
  for i = 1, 100000 do parts[#parts + 1] = "item" .. i end
  local s = table.concat(parts, ",")
  local t = ""
  for i = 1, 2000 do t = t .. "x" end
  return #s + #t
end)

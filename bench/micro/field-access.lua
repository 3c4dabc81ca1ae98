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

run("field-access", function()
  local p = { x = 1, y = 2, z = 3 }
  for i = 1, 1000000 do
    p.x = p.y + p.z
    p.y = p.x - i
  end
  return p.x
end)

-- Shared by the micro-benchmarks in tests/: runs a workload 12 times and prints its times in milliseconds as
-- |><|name|><|ms|><|ms|...||_||, the format Luau's bench_support prints. Plain Lua, so lua5.4, the reference luau
-- and ours all run it.
return function(name, f)
  local times = {}
  for i = 1, 12 do
    local t0 = os.clock()
    f()
    times[#times + 1] = (os.clock() - t0) * 1000
  end
  print("|><|" .. name .. "|><|" .. table.concat(times, "|><|") .. "||_||")
end

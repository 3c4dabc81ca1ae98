-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

local arr = {}
for i = 1, 1000 do
  arr[i] = 0
end
run("array-write", function()
  for r = 1, 1000 do
    for i = 1, 1000 do
      arr[i] = i + r
    end
  end
end)

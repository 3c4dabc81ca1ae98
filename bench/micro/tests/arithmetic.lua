-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

run("arithmetic", function()
  local a, b, c = 1.5, 2.25, 0
  for i = 1, 2000000 do
    c = (c + a * i - b) / 3 + i % 7
  end
  return c
end)

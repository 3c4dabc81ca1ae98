-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

run("empty-loop", function()
  for i = 1, 5000000 do
  end
end)

-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

run("table-constructors", function()
  local last
  for i = 1, 300000 do
    last = { i, i + 1, i + 2, x = i, y = i }
  end
  return last.x
end)

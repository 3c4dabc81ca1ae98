-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

local function add(x, y)
  return x + y
end
run("calls", function()
  local s = 0
  for i = 1, 1000000 do
    s = add(s, i)
  end
  return s
end)

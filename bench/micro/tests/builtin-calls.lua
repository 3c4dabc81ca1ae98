-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

-- Library functions reached through GETIMPORT and a FASTCALL: math.sqrt, math.floor, math.abs.
run("builtin-calls", function()
  local s = 0
  for i = 1, 1000000 do
    s = s + math.sqrt(i) + math.floor(i / 3) + math.abs(-i)
  end
  return s
end)

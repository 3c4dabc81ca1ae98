-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

run("closures", function()
  local s = 0
  for i = 1, 300000 do
    local f = function()
      return i
    end
    s = s + f()
  end
  return s
end)

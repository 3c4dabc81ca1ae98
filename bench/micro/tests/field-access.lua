-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

run("field-access", function()
  local p = { x = 1, y = 2, z = 3 }
  for i = 1, 1000000 do
    p.x = p.y + p.z
    p.y = p.x - i
  end
  return p.x
end)

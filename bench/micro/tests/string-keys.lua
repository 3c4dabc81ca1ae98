-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

-- Reads and writes of string-keyed fields on tables of the same shape (GETTABLEKS/SETTABLEKS slot hints).
run("string-keys", function()
  local objs = {}
  for i = 1, 100 do
    objs[i] = { a = i, b = 2 * i, c = 0 }
  end
  for r = 1, 10000 do
    for i = 1, #objs do
      local o = objs[i]
      o.c = o.a + o.b
    end
  end
  return objs[1].c
end)

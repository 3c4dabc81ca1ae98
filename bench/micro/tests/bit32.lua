-- Micro-benchmark: runs unchanged on the reference luau and ours; lua5.4 has no bit32 (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

-- The bit32 builtins the compiler turns into FASTCALLs, mixed the way hash functions mix them.
run("bit32", function()
  local h = 0x12345678
  for i = 1, 1000000 do
    h = bit32.bxor(h, i)
    h = bit32.band(bit32.lrotate(h, 5) + i, 0xFFFFFFFF)
    h = bit32.bor(bit32.rshift(h, 3), bit32.lshift(h, 29))
  end
  return h
end)

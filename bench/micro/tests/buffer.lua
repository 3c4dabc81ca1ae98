-- Micro-benchmark: runs unchanged on the reference luau and ours; lua5.4 has no buffer (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

-- Byte and word reads and writes of a buffer, the way image and audio codecs use them.
local b = buffer.create(4096)
run("buffer", function()
  local s = 0
  for r = 1, 100 do
    for i = 0, 4095 - 4, 4 do
      buffer.writeu8(b, i, i)
      buffer.writeu16(b, i + 1, r)
      s = s + buffer.readu8(b, i) + buffer.readu32(b, i)
    end
  end
  return s
end)

-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

run("string-building", function()
  local parts = {}
  for i = 1, 100000 do
    parts[#parts + 1] = "item" .. i
  end
  local s = table.concat(parts, ",")
  local t = ""
  for i = 1, 2000 do
    t = t .. "x"
  end
  return #s + #t
end)

-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

-- A variadic function that counts and reads its arguments with select.
local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do
    s = s + select(i, ...)
  end
  return s
end
run("variadic", function()
  local s = 0
  for i = 1, 200000 do
    s = s + sum(i, 2, 3, 4)
  end
  return s
end)
